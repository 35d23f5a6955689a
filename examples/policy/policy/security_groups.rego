# Security groups must not open administration ports to the internet.
#
# The policy's own example of an organisation-specific control: only we can
# configure our AWS security groups. This reads both a Terraform plan
# (terraform show -json plan.out) and the answer of
# aws ec2 describe-security-groups, so the same rule checks what is about to
# be deployed and what is running.
package aws.security_groups

# The administration ports: SSH and RDP.
admin_ports := {22, 3389}

world := {"0.0.0.0/0", "::/0"}

# A port range [from, to] holds an administration port; protocol "-1" (all
# traffic) holds every port.
opens_admin(protocol, from, to) := port if {
	protocol == "-1"
	some port in admin_ports
} else := port if {
	some port in admin_ports
	from <= port
	port <= to
}

# Terraform plan: aws_security_group with inline ingress blocks.
deny contains msg if {
	some rc in input.resource_changes
	rc.type == "aws_security_group"
	not "delete" in rc.change.actions
	some rule in rc.change.after.ingress
	some cidr in array.concat(object.get(rule, "cidr_blocks", []), object.get(rule, "ipv6_cidr_blocks", []))
	cidr in world
	port := opens_admin(rule.protocol, rule.from_port, rule.to_port)
	msg := sprintf("%s allows port %d from %s", [rc.address, port, cidr])
}

# Terraform plan: aws_vpc_security_group_ingress_rule resources.
deny contains msg if {
	some rc in input.resource_changes
	rc.type == "aws_vpc_security_group_ingress_rule"
	not "delete" in rc.change.actions
	after := rc.change.after
	cidr := object.get(after, "cidr_ipv4", object.get(after, "cidr_ipv6", ""))
	cidr in world
	port := opens_admin(after.ip_protocol, object.get(after, "from_port", 0), object.get(after, "to_port", 65535))
	msg := sprintf("%s allows port %d from %s", [rc.address, port, cidr])
}

# aws ec2 describe-security-groups.
deny contains msg if {
	some sg in input.SecurityGroups
	some perm in sg.IpPermissions
	some cidr in array.concat([r.CidrIp | some r in object.get(perm, "IpRanges", [])], [r.CidrIpv6 | some r in object.get(perm, "Ipv6Ranges", [])])
	cidr in world
	port := opens_admin(perm.IpProtocol, object.get(perm, "FromPort", 0), object.get(perm, "ToPort", 65535))
	msg := sprintf("%s (%s) allows port %d from %s", [sg.GroupId, sg.GroupName, port, cidr])
}

# A security group open to the world on any other port is worth a look.
warn contains msg if {
	some sg in input.SecurityGroups
	some perm in sg.IpPermissions
	some r in object.get(perm, "IpRanges", [])
	r.CidrIp == "0.0.0.0/0"
	not opens_admin(perm.IpProtocol, object.get(perm, "FromPort", 0), object.get(perm, "ToPort", 65535))
	msg := sprintf("%s (%s) allows ports %v-%v from anywhere", [sg.GroupId, sg.GroupName, object.get(perm, "FromPort", 0), object.get(perm, "ToPort", 65535)])
}
