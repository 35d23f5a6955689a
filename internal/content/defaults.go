package content

import "remit/internal/remit"

// Defaults is the built-in service-model default table. It follows the
// layered charts the large cloud providers publish (the further down the
// stack from data to data centre, the more a provider runs as the service
// model moves from IaaS to SaaS), written in our own words. People and
// governance are shared under every cloud model: each side trains and
// vets its own staff and runs its own management system.
func Defaults() *remit.Defaults {
	const (
		inh = remit.Inherited
		sh  = remit.Shared
		org = remit.OrganisationSpecific
	)
	row := func(iaas, paas, saas, managed, onprem remit.Class) map[remit.ServiceModel]remit.Class {
		return map[remit.ServiceModel]remit.Class{
			remit.IaaS: iaas, remit.PaaS: paas, remit.SaaS: saas, remit.ManagedService: managed, remit.OnPremises: onprem,
		}
	}
	return &remit.Defaults{
		Sources: []remit.Source{
			{Title: "Shared responsibility in the cloud (Microsoft Learn, Azure security fundamentals)", URL: "https://learn.microsoft.com/en-us/azure/security/fundamentals/shared-responsibility", Version: "web page as read 2026-11", Date: "2026-11-01"},
			{Title: "Shared Responsibility Model (AWS Compliance)", URL: "https://aws.amazon.com/compliance/shared-responsibility-model/", Version: "web page as read 2026-11", Date: "2026-11-01"},
			{Title: "Shared responsibilities and shared fate on Google Cloud", URL: "https://cloud.google.com/architecture/framework/security/shared-responsibility-shared-fate", Version: "web page as read 2026-11", Date: "2026-11-01"},
		},
		Rules: []remit.DefaultRule{
			{Area: remit.AreaData, Title: "Information and data",
				Provider: "Stores and processes the data as the service is designed to.",
				Customer: "Decide what data goes into the service, classify it and control who may reach it.",
				Classes:  row(org, org, org, org, org)},
			{Area: remit.AreaEndpoints, Title: "Devices and endpoints",
				Provider: "Nothing: the devices used to reach the service are not the provider's.",
				Customer: "Secure and manage the devices staff use to reach the service.",
				Classes:  row(org, org, org, org, org)},
			{Area: remit.AreaIdentities, Title: "Accounts and identities",
				Provider: "Offers the means to create and secure accounts.",
				Customer: "Create, review and remove user accounts and set their strength (for example multi-factor sign-in).",
				Classes:  row(org, org, org, org, org)},
			{Area: remit.AreaIdentityInfrastructure, Title: "Identity and directory infrastructure",
				Provider: "Runs the directory and sign-in service that the platform or application relies on.",
				Customer: "Configure the directory, federation and sign-in policies in the tenancy.",
				Classes:  row(org, sh, sh, sh, org)},
			{Area: remit.AreaApplication, Title: "Applications",
				Provider: "Builds, patches and runs the application or the platform it runs on.",
				Customer: "Build, patch and configure the organisation's own code and settings.",
				Classes:  row(org, sh, inh, sh, org)},
			{Area: remit.AreaNetwork, Title: "Network controls",
				Provider: "Runs and protects the network the service is built on.",
				Customer: "Configure the network controls the tenancy offers (firewall rules, security groups, private endpoints).",
				Classes:  row(org, sh, inh, sh, org)},
			{Area: remit.AreaOperatingSystem, Title: "Operating system",
				Provider: "Patches, hardens and monitors the operating systems that run the service.",
				Customer: "Patch, harden and monitor the guest operating systems the organisation runs.",
				Classes:  row(org, inh, inh, inh, org)},
			{Area: remit.AreaPhysical, Title: "Physical hosts, network and data centre",
				Provider: "Secures the data centres, hosts and physical network, and their power and cooling.",
				Customer: "Secure the organisation's own premises and hardware.",
				Classes:  row(inh, inh, inh, inh, org)},
			{Area: remit.AreaPeople, Title: "People",
				Provider: "Vets and trains the provider's own staff.",
				Customer: "Vet and train the organisation's own staff.",
				Classes:  row(sh, sh, sh, sh, org)},
			{Area: remit.AreaGovernance, Title: "Governance",
				Provider: "Runs a management system over the provider's side of the service.",
				Customer: "Run a management system over the organisation's side and oversee the supplier.",
				Classes:  row(sh, sh, sh, sh, org)},
		},
	}
}
