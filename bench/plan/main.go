// Command plan writes a synthetic Terraform plan (terraform show -json)
// with N resource changes, for the policy benchmark (bench/policy.sh,
// doc/checks.md): security groups (one in ten open to the internet on SSH
// or RDP), ingress rules, EBS volumes, database instances, instances and
// buckets, in a fixed order so every run checks the same plan.
//
//	go run ./bench/plan -n 10000 > plan.json
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
)

func main() {
	n := flag.Int("n", 10000, "resource changes")
	flag.Parse()
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	if err := json.NewEncoder(w).Encode(Plan(*n)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// Plan is a plan of n resource changes.
func Plan(n int) map[string]any {
	changes := make([]any, 0, n)
	for i := range n {
		var typ string
		var after map[string]any
		switch i % 6 {
		case 0:
			typ = "aws_security_group"
			cidr := "10.0.0.0/8"
			if i%60 == 0 {
				cidr = "0.0.0.0/0"
			}
			port := []int{22, 3389, 443}[i%3]
			after = map[string]any{"name": fmt.Sprintf("sg-%d", i), "ingress": []any{
				map[string]any{"from_port": port, "to_port": port, "protocol": "tcp", "cidr_blocks": []any{cidr}, "ipv6_cidr_blocks": []any{}, "self": false},
				map[string]any{"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": []any{"0.0.0.0/0"}, "ipv6_cidr_blocks": []any{}, "self": false},
			}, "tags": map[string]any{"remit-system": "prison-visits", "index": fmt.Sprint(i)}}
		case 1:
			typ = "aws_vpc_security_group_ingress_rule"
			cidr := "10.1.0.0/16"
			if i%61 == 1 {
				cidr = "::/0"
			}
			after = map[string]any{"security_group_id": fmt.Sprintf("sg-%d", i-1), "ip_protocol": "tcp", "from_port": 3389, "to_port": 3389, "cidr_ipv6": cidr}
		case 2:
			typ = "aws_ebs_volume"
			after = map[string]any{"availability_zone": "eu-west-2a", "size": 100, "encrypted": i%50 != 2}
		case 3:
			typ = "aws_db_instance"
			after = map[string]any{"engine": "postgres", "instance_class": "db.t4g.medium", "storage_encrypted": i%40 != 3}
		case 4:
			typ = "aws_instance"
			after = map[string]any{"ami": "ami-0abcdef1234567890", "instance_type": "t3.micro", "tags": map[string]any{"Name": fmt.Sprintf("app-%d", i)}}
		default:
			typ = "aws_s3_bucket"
			after = map[string]any{"bucket": fmt.Sprintf("visits-documents-%d", i), "force_destroy": false}
		}
		name := fmt.Sprintf("r%d", i)
		changes = append(changes, map[string]any{
			"address": typ + "." + name, "mode": "managed", "type": typ, "name": name,
			"provider_name": "registry.terraform.io/hashicorp/aws",
			"change":        map[string]any{"actions": []any{"create"}, "before": nil, "after": after},
		})
	}
	return map[string]any{"format_version": "1.2", "terraform_version": "1.9.8", "resource_changes": changes}
}
