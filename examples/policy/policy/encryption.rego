# Storage is encrypted at rest: EBS volumes and RDS instances in a
# Terraform plan.
package aws.encryption

deny contains msg if {
	some rc in input.resource_changes
	rc.type == "aws_ebs_volume"
	not "delete" in rc.change.actions
	not rc.change.after.encrypted
	msg := sprintf("%s is not encrypted at rest", [rc.address])
}

deny contains msg if {
	some rc in input.resource_changes
	rc.type == "aws_db_instance"
	not "delete" in rc.change.actions
	not rc.change.after.storage_encrypted
	msg := sprintf("%s does not encrypt its storage", [rc.address])
}
