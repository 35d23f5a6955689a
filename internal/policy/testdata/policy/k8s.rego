# Kubernetes manifests: conftest's own kind of example, with a violation
# that returns an object, a warning and an exception.
package main

import data.allowed

violation contains {"msg": msg, "resource": input.metadata.name} if {
	input.kind == "Deployment"
	some c in input.spec.template.spec.containers
	not startswith(c.image, allowed.registry)
	msg := sprintf("%s uses image %s from outside %s", [input.metadata.name, c.image, allowed.registry])
}

deny_privileged contains msg if {
	input.kind == "Deployment"
	some c in input.spec.template.spec.containers
	c.securityContext.privileged
	msg := sprintf("%s runs %s privileged", [input.metadata.name, c.name])
}

warn contains msg if {
	input.kind == "Service"
	input.spec.type == "LoadBalancer"
	msg := sprintf("%s is exposed through a load balancer", [input.metadata.name])
}

exception contains rules if {
	input.metadata.name == "legacy-batch"
	rules := ["privileged"]
}

# A rule that reads which file is being checked.
deny_file contains msg if {
	input.kind == "Secret"
	msg := sprintf("%s: secrets do not belong in %s", [input.metadata.name, data.conftest.file.name])
}
