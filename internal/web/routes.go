package web

import (
	"net/http"
	"reflect"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"remit/internal/remit"
	"remit/internal/report"
)

// routes lists every route the server answers.
func (s *server) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", s.handleHealthz)
	mux.HandleFunc("GET /readyz", s.handleReadyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{}))
	s.uiRoutes(mux)

	cfg := huma.DefaultConfig("Remit API", "1")
	cfg.Info.Description = "Shared responsibility models: who runs each control, and what is still ours. Every change needs the ETag it read (If-Match); errors are RFC 9457 problem JSON."
	cfg.OpenAPIPath = "/api/v1/openapi"
	cfg.DocsPath = ""
	cfg.SchemasPath = "/api/v1/schemas"
	cfg.CreateHooks = nil // no $schema fields: bodies are the documented contracts
	cfg.RejectUnknownQueryParameters = true
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "An API token (remit_…) or a session secret."},
	}
	api := humago.New(mux, cfg)
	secured := []map[string][]string{{"bearer": {}}}

	// Sessions and the signed-in user.
	huma.Register(api, op("POST", "/api/v1/session", "sign-in", "Sign in with email and password", nil), s.handleSessionCreate)
	huma.Register(api, op("DELETE", "/api/v1/session", "sign-out", "Sign out, ending the session", secured), s.handleSessionDelete)
	huma.Register(api, op("GET", "/api/v1/me", "me", "Who is signed in", secured), s.handleMe)
	huma.Register(api, op("GET", "/api/v1/search", "search", "Find systems, providers, offerings and controls by name or id, and what is stored (statements, evidence, risks, findings, obligations' notes) by the words in it", secured), s.handleSearch)
	huma.Register(api, op("GET", "/api/v1/my-work", "my-work", "What falls to whoever is signed in: their obligations and their teams', evidence coming to its end, findings, risks awaiting their decision or review, assessments to sign off, suppliers' answers to review", secured), s.handleMyWork)

	// The estate, computed.
	huma.Register(api, op("GET", "/api/v1/systems", "list-systems", "List systems", secured), s.handleSystemList)
	huma.Register(api, op("GET", "/api/v1/systems/{id}", "get-system", "A system and the offerings it uses", secured), s.handleSystemGet)
	matrixOp := op("GET", "/api/v1/systems/{id}/matrix", "get-matrix", "A system's effective responsibility matrix", secured)
	matrixOp.Responses = map[string]*huma.Response{"200": {Description: "The matrix, as documented in doc/engine.md", Content: map[string]*huma.MediaType{
		"application/json": {Schema: api.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[report.MatrixDoc](), true, "MatrixDoc")},
	}}}
	huma.Register(api, matrixOp, s.handleMatrixGet)
	huma.Register(api, op("GET", "/api/v1/systems/{id}/explain", "explain", "The provenance of one cell, in sentences", secured), s.handleExplain)
	huma.Register(api, op("GET", "/api/v1/coverage", "coverage", "How much of the baselines the providers' statements settle — per offering, contributions stated for the control, mapped or assumed — over the estate, or over the systems using one provider's offerings", secured), s.handleEstateCoverage)
	huma.Register(api, op("GET", "/api/v1/systems/{id}/coverage", "system-coverage", "Per offering the system uses, how many of its contributions to the baseline are stated for the control, mapped from another catalogue's or assumed", secured), s.handleCoverage)
	huma.Register(api, op("GET", "/api/v1/obligations", "list-obligations", "What is still ours (or the providers'), across the estate", secured), s.handleObligationList)
	huma.Register(api, op("GET", "/api/v1/obligations/{id}", "get-obligation", "One obligation with its tracking", secured), s.handleObligationGet)
	huma.Register(api, op("PUT", "/api/v1/obligations/{id}/tracking", "track-obligation", "Set an obligation's owner, status, due date and notes", secured), s.handleTrackingPut)
	huma.Register(api, op("POST", "/api/v1/obligations/owner", "assign-owner", "Give many obligations one owner, all or none (each at the tracking version read)", secured), s.handleAssignOwner)
	huma.Register(api, op("GET", "/api/v1/graph", "graph", "The supplier graph and concentration", secured), s.handleGraph)

	// Models.
	huma.Register(api, op("GET", "/api/v1/catalogues", "list-catalogues", "List catalogues", secured), s.handleCatalogueList)
	huma.Register(api, op("GET", "/api/v1/catalogues/{id}", "get-catalogue", "A catalogue and its controls", secured), s.handleCatalogueGet)
	huma.Register(api, op("GET", "/api/v1/providers", "list-providers", "List providers and their offerings", secured), s.handleProviderList)
	huma.Register(api, op("GET", "/api/v1/providers/{provider}/offerings/{offering}", "get-offering", "An offering and its statements", secured), s.handleOfferingGet)
	huma.Register(api, op("GET", "/api/v1/providers/{provider}/offerings/{offering}/versions", "list-model-versions", "Every version of an offering's model", secured), s.handleVersionList)
	huma.Register(api, op("GET", "/api/v1/providers/{provider}/offerings/{offering}/diff", "diff-model-versions", "Compare two versions of an offering's model: which systems' obligations change", secured), s.handleVersionDiff)
	huma.Register(api, op("PUT", "/api/v1/providers/{provider}/offerings/{offering}/statements/{control}", "put-statement", "Add or replace the offering's statement for a control", secured), s.handleStatementPut)
	huma.Register(api, op("DELETE", "/api/v1/providers/{provider}/offerings/{offering}/statements/{control}", "delete-statement", "Remove the offering's statement for a control (the default applies again)", secured), s.handleStatementDelete)

	// Changes to the workspace: each quotes the ETag it read (If-Match; "0" creates).
	huma.Register(api, op("PUT", "/api/v1/systems/{id}", "put-system", "Create or replace a system", secured), s.handleSystemPut)
	huma.Register(api, op("DELETE", "/api/v1/systems/{id}", "delete-system", "Delete a system", secured), s.handleSystemDelete)
	huma.Register(api, op("PUT", "/api/v1/systems/{id}/uses/{provider}/{offering}", "attach-offering", "Attach an offering to a system, or change its purpose", secured), s.handleUsePut)
	huma.Register(api, op("DELETE", "/api/v1/systems/{id}/uses/{provider}/{offering}", "detach-offering", "Detach an offering from a system", secured), s.handleUseDelete)
	huma.Register(api, op("PUT", "/api/v1/catalogues/{id}", "put-catalogue", "Create or replace a catalogue", secured), s.handleCataloguePut)
	{
		o := op("POST", "/api/v1/catalogues/{id}/import", "import-catalogue", "Create or replace a catalogue from an OSCAL JSON catalog (If-Match \"0\" to create); areas set by hand are kept", secured)
		o.MaxBodyBytes = maxOSCAL
		o.SkipValidateBody = true // oscal reads it, after checking its size
		o.Middlewares = huma.Middlewares{s.heavyMiddleware(api)}
		huma.Register(api, o, s.handleCatalogueImport)
		o = op("POST", "/api/v1/profiles/resolve", "resolve-profile", "Resolve an OSCAL profile against a catalog; answers the resolved OSCAL catalog", secured)
		o.MaxBodyBytes = maxOSCAL
		o.SkipValidateBody = true // oscal reads it, after checking its size
		o.Middlewares = huma.Middlewares{s.heavyMiddleware(api)}
		huma.Register(api, o, s.handleProfileResolve)
	}
	huma.Register(api, op("DELETE", "/api/v1/catalogues/{id}", "delete-catalogue", "Delete a catalogue", secured), s.handleCatalogueDelete)
	huma.Register(api, op("PUT", "/api/v1/catalogues/{catalogue}/controls/{control}", "put-control", "Create or replace a control", secured), s.handleControlPut)
	huma.Register(api, op("DELETE", "/api/v1/catalogues/{catalogue}/controls/{control}", "delete-control", "Delete a control", secured), s.handleControlDelete)
	huma.Register(api, op("GET", "/api/v1/providers/{id}", "get-provider", "A provider and its offerings", secured), s.handleProviderGet)
	huma.Register(api, op("PUT", "/api/v1/providers/{id}", "put-provider", "Create or rename a provider", secured), s.handleProviderPut)
	huma.Register(api, op("DELETE", "/api/v1/providers/{id}", "delete-provider", "Delete a provider and its offerings", secured), s.handleProviderDelete)
	huma.Register(api, op("PUT", "/api/v1/providers/{provider}/offerings/{offering}", "put-offering", "Create or replace an offering and its statements", secured), s.handleOfferingPut)
	huma.Register(api, op("DELETE", "/api/v1/providers/{provider}/offerings/{offering}", "delete-offering", "Delete an offering", secured), s.handleOfferingDelete)
	huma.Register(api, op("GET", "/api/v1/providers/{provider}/offerings/{offering}/chain", "get-chain", "The chain of reliance: the offerings it rests on and those resting on it, with what evidence says of each and the obligations a lapse leaves not assured", secured), s.handleChainGet)

	// Evidence.
	huma.Register(api, op("GET", "/api/v1/evidence", "list-evidence", "The evidence register, filtered (expiring within N days, expired, by kind or by what it supports)", secured), s.handleEvidenceList)
	addEvidence := op("POST", "/api/v1/evidence", "add-evidence", "Add evidence: a file (base64, up to 20 MiB; its type is sniffed, its SHA-256 kept) or a link", secured)
	addEvidence.MaxBodyBytes = remit.MaxEvidenceFile*4/3 + 64<<10 // base64 and the fields
	addEvidence.Middlewares = huma.Middlewares{s.heavyMiddleware(api)}
	huma.Register(api, addEvidence, s.handleEvidenceCreate)
	huma.Register(api, op("GET", "/api/v1/evidence/{id}", "get-evidence", "One piece of evidence", secured), s.handleEvidenceGet)
	huma.Register(api, op("PUT", "/api/v1/evidence/{id}", "put-evidence", "Change what evidence says and supports (its file never changes)", secured), s.handleEvidencePut)
	mux.HandleFunc("GET /api/v1/evidence/{id}/file", s.handleEvidenceFile)
	huma.Register(api, op("PUT", "/api/v1/evidence/{id}/coverage", "decide-coverage", "Record whether the evidence covers a fourth party it neither includes nor carves out, and why (assessors)", secured), s.handleCoveragePut)
	huma.Register(api, op("DELETE", "/api/v1/evidence/{id}/coverage", "withdraw-coverage", "Withdraw a coverage decision: the evidence is silent on the fourth party again", secured), s.handleCoverageDelete)

	// Supplier assessments.
	huma.Register(api, op("GET", "/api/v1/assessments/template", "get-questionnaire", "The supplier assessment questionnaire: principles, the controls they bear on, typed questions", secured), s.handleQuestionnaireGet)
	huma.Register(api, op("GET", "/api/v1/assessments", "list-assessments", "Supplier assessments, newest first", secured), s.handleAssessmentList)
	huma.Register(api, op("POST", "/api/v1/assessments", "start-assessment", "Start assessing an offering", secured), s.handleAssessmentStart)
	huma.Register(api, op("GET", "/api/v1/assessments/{id}", "get-assessment", "One supplier assessment", secured), s.handleAssessmentGet)
	huma.Register(api, op("PUT", "/api/v1/assessments/{id}/principles/{control}", "put-principle", "Record the answers, evidence, result and rationale for one principle", secured), s.handlePrinciplePut)
	huma.Register(api, op("POST", "/api/v1/assessments/{id}/complete", "complete-assessment", "Sign an assessment off (an assessor): it then assures or fails the offering's provider obligations", secured), s.handleAssessmentComplete)

	// Standards Assurance Tables.
	huma.Register(api, op("GET", "/api/v1/sat/template", "get-sat-template", "The current version of the Standards Assurance Table's objectives", secured), s.handleSATTemplateGet)
	huma.Register(api, op("PUT", "/api/v1/sat/template", "publish-sat-template", "Publish a new version of the objectives: it may add objectives, never delete or change one", secured), s.handleSATTemplatePut)
	huma.Register(api, op("GET", "/api/v1/sats", "list-sats", "Standards Assurance Tables, newest first", secured), s.handleSATList)
	huma.Register(api, op("POST", "/api/v1/sats", "start-sat", "Start a system's Standards Assurance Table", secured), s.handleSATStart)
	huma.Register(api, op("GET", "/api/v1/sats/{id}", "get-sat", "A Standards Assurance Table with its report (deltas per objective, category and overall; the previous table's)", secured), s.handleSATGet)
	huma.Register(api, op("PUT", "/api/v1/sats/{id}/entries", "put-sat-entries", "Record objectives' evidence, confidence and commentary", secured), s.handleSATEntriesPut)
	huma.Register(api, op("POST", "/api/v1/sats/{id}/complete", "complete-sat", "Sign a Standards Assurance Table off (an assessor)", secured), s.handleSATComplete)
	mux.HandleFunc("GET /api/v1/sats/{id}/xlsx", s.apiDownload(s.handleSATWorkbook))

	// Scorecards.
	huma.Register(api, op("GET", "/api/v1/scorecards", "list-scorecards", "Supplier scorecards: per provider and offering, obligations by assurance, evidence expiring, open findings, last assessment, review due", secured), s.handleScorecardList)
	huma.Register(api, op("GET", "/api/v1/providers/{id}/review", "get-review-cadence", "How often a provider is reviewed, in months, with the ETag to change it", secured), s.handleReviewCadenceGet)
	huma.Register(api, op("PUT", "/api/v1/providers/{id}/review", "set-review-cadence", "Set how often a provider is reviewed, in months (12 by default)", secured), s.handleReviewCadencePut)
	huma.Register(api, op("GET", "/api/v1/questionnaires", "list-questionnaires", "The questionnaire templates supplier assessments follow, each at its current version", secured), s.handleQuestionnaireList)
	huma.Register(api, op("GET", "/api/v1/questionnaires/{template}", "get-questionnaire-version", "One questionnaire template, at a version or its current one", secured), s.handleQuestionnaireVersionGet)
	huma.Register(api, op("PUT", "/api/v1/questionnaires/{template}", "publish-questionnaire", "Publish a template's first or next version: once used, it may only add and reorder (assessors and admins)", secured), s.handleQuestionnairePut)
	huma.Register(api, op("POST", "/api/v1/questionnaires/{template}/caiq", "import-caiq-questionnaire", "Publish the question set of a CSA CAIQ v4 workbook as the template's first or next version", secured), s.handleCAIQImport)
	huma.Register(api, op("GET", "/api/v1/suppliers/settings", "get-supplier-settings", "Per tier: the questionnaire, how often and what evidence reassessment asks for", secured), s.handleSupplierSettingsGet)
	huma.Register(api, op("PUT", "/api/v1/suppliers/settings", "put-supplier-settings", "Set the rules for suppliers' tiers (admin)", secured), s.handleSupplierSettingsPut)
	huma.Register(api, op("GET", "/api/v1/providers/{id}/supplier", "get-supplier", "A provider as a supplier: its record (tier set by hand, data locations, contacts, contract) and its tier, worked out from the systems relying on it unless set", secured), s.handleSupplierGet)
	huma.Register(api, op("PUT", "/api/v1/providers/{id}/supplier", "set-supplier", "Keep a provider's supplier record (assessors and admins)", secured), s.handleSupplierPut)

	// Risks.
	huma.Register(api, op("GET", "/api/v1/risks", "list-risks", "The risk register, filtered and sorted (residual score, highest first, by default)", secured), s.handleRiskList)
	huma.Register(api, op("POST", "/api/v1/risks", "record-risk", "Record a risk (never as accepted: accept it after)", secured), s.handleRiskCreate)
	huma.Register(api, op("GET", "/api/v1/risks/settings", "get-risk-settings", "The risk scale and appetite", secured), s.handleRiskSettingsGet)
	huma.Register(api, op("GET", "/api/v1/risks/trend", "risk-trend", "The register's daily snapshots, oldest first: risks not closed by residual band, accepted, above appetite, reviews due and overdue", secured), s.handleRiskTrend)
	huma.Register(api, op("GET", "/api/v1/risks/cumulative", "cumulative-risk", "Accepted risk together: across the estate, per system and per provider (with the systems carrying accepted risk resting on it), and reviews due", secured), s.handleCumulativeGet)
	mux.HandleFunc("GET /api/v1/risks/export", s.apiDownload(s.handleRiskExport))
	mux.HandleFunc("GET /api/v1/findings/export", s.apiDownload(s.handleFindingsExport))
	mux.HandleFunc("GET /api/v1/evidence/export", s.apiDownload(s.handleEvidenceExport))
	mux.HandleFunc("GET /api/v1/audit/export", s.apiDownload(s.handleAuditExport))
	mux.HandleFunc("GET /api/v1/systems/{id}/obligations/export", s.apiDownload(s.handleOursExport))
	mux.HandleFunc("GET /api/v1/systems/{id}/pack", s.apiDownload(s.handleSystemPack))
	mux.HandleFunc("GET /api/v1/providers/{id}/pack", s.apiDownload(s.handleSupplierPack))
	// Documents for assessors, auditors and other tools, and providers'
	// matrices in (doc/oscal.md).
	mux.HandleFunc("GET /api/v1/systems/{id}/ssp", s.apiDownload(s.handleSSPExport))
	mux.HandleFunc("PUT /api/v1/systems/{id}/ssp", s.apiDownload(s.handleSystemSSPImport))
	mux.HandleFunc("GET /api/v1/systems/{id}/crm", s.apiDownload(s.handleCRMExport))
	mux.HandleFunc("GET /api/v1/providers/{provider}/offerings/{offering}/component-definition", s.apiDownload(s.handleComponentDefinitionExport))
	mux.HandleFunc("POST /api/v1/providers/{provider}/offerings/{offering}/import", s.apiDownload(s.handleOfferingImport))
	mux.HandleFunc("GET /api/v1/providers/{provider}/offerings/{offering}/findings", s.apiDownload(s.handleProviderFindingsGet))
	mux.HandleFunc("POST /api/v1/providers/{provider}/offerings/{offering}/findings", s.apiDownload(s.handleProviderFindingsImport))
	mux.HandleFunc("GET /api/v1/assessment-results/{id}", s.apiDownload(s.handleAssessmentResultsExport))
	mux.HandleFunc("GET /api/v1/poam", s.apiDownload(s.handlePOAMExport))
	huma.Register(api, op("GET", "/api/v1/risks/proposals", "list-proposals", "Risks Remit proposes from gaps it can see, neither adopted nor dismissed (adopt one by recording a risk naming it)", secured), s.handleProposalList)
	huma.Register(api, op("POST", "/api/v1/risks/proposals/{id}/dismiss", "dismiss-proposal", "Dismiss a proposal with a reason: it returns only if its cause changes", secured), s.handleProposalDismiss)
	huma.Register(api, op("PUT", "/api/v1/risks/settings", "put-risk-settings", "Set the risk scale and appetite (admin)", secured), s.handleRiskSettingsPut)
	huma.Register(api, op("GET", "/api/v1/risks/{id}", "get-risk", "One risk with its scores, band, appetite and status today", secured), s.handleRiskGet)
	huma.Register(api, op("PUT", "/api/v1/risks/{id}", "put-risk", "Change a risk (its score history is kept)", secured), s.handleRiskPut)
	huma.Register(api, op("POST", "/api/v1/risks/{id}/accept", "accept-risk", "Accept a risk: a risk owner, with a rationale and a review day; never a legal or regulatory breach", secured), s.handleRiskAccept)

	// Findings.
	huma.Register(api, op("GET", "/api/v1/findings", "list-findings", "Findings, most severe first (filter by status, overdue, source)", secured), s.handleFindingList)
	huma.Register(api, op("POST", "/api/v1/findings", "raise-finding", "Raise a finding", secured), s.handleFindingCreate)
	huma.Register(api, op("GET", "/api/v1/findings/{id}", "get-finding", "One finding", secured), s.handleFindingGet)
	huma.Register(api, op("PUT", "/api/v1/findings/{id}", "put-finding", "Change a finding", secured), s.handleFindingPut)

	// Audit, tokens and users.
	huma.Register(api, op("GET", "/api/v1/audit", "list-audit", "The audit trail, filtered", secured), s.handleAuditList)
	huma.Register(api, op("GET", "/api/v1/tokens", "list-tokens", "Your API tokens", secured), s.handleTokenList)
	huma.Register(api, op("POST", "/api/v1/tokens", "create-token", "Create an API token (its secret is shown once)", secured), s.handleTokenCreate)
	huma.Register(api, op("DELETE", "/api/v1/tokens/{id}", "revoke-token", "Revoke an API token", secured), s.handleTokenRevoke)
	huma.Register(api, op("GET", "/api/v1/users", "list-users", "List users (admin)", secured), s.handleUserList)
	huma.Register(api, op("POST", "/api/v1/users", "create-user", "Create a user (admin)", secured), s.handleUserCreate)
	{
		o := op("POST", "/api/v1/systems/{id}/checks", "ingest-checks", "Hand in a tool's results for a system (SARIF, OCSF, ASFF or JUnit; gzip accepted): each control its rules map to is failed or assured for our half", secured)
		o.MaxBodyBytes = maxChecksBody
		o.Middlewares = huma.Middlewares{s.heavyMiddleware(api)}
		huma.Register(api, o, s.handleChecksIngest)
		o = op("POST", "/api/v1/checks", "ingest-routed-checks", "Hand in a tool's results (SARIF, OCSF, ASFF or JUnit; gzip accepted) for the systems the workspace's checks files say they are about (by account, repository or tag), or for ?system=", secured)
		o.MaxBodyBytes = maxChecksBody
		o.Middlewares = huma.Middlewares{s.heavyMiddleware(api)}
		huma.Register(api, o, s.handleRoutedChecksIngest)
	}
	huma.Register(api, op("GET", "/api/v1/users/{email}", "get-user", "One account, with its ETag (admin, or one's own)", secured), s.handleUserGet)
	huma.Register(api, op("PATCH", "/api/v1/users/{email}", "change-user", "Change an account's name, role, teams, or disable it (admin)", secured), s.handleUserChange)
	huma.Register(api, op("POST", "/api/v1/users/{email}/password-reset", "reset-password", "Give an account a new generated password, shown once (admin)", secured), s.handlePasswordReset)
}

func op(method, path, id, summary string, security []map[string][]string) huma.Operation {
	o := huma.Operation{Method: method, Path: path, OperationID: id, Summary: summary, Security: security, MaxBodyBytes: 64 << 10}
	if method == "POST" && path != "/api/v1/session" && path != "/api/v1/obligations/owner" && !strings.HasSuffix(path, "/password-reset") {
		o.DefaultStatus = http.StatusCreated
	}
	return o
}

// uiRoutes lists the pages of the web UI. Every form posts to a route here
// and redirects (post-redirect-get); CSRF is refused for all of them by
// http.CrossOriginProtection in NewServer.
func (s *server) uiRoutes(mux *http.ServeMux) {
	mux.Handle("GET /assets/{path...}", s.ui.assets)
	mux.HandleFunc("GET /sign-in", s.handle(s.handleSignInPage))
	mux.HandleFunc("POST /sign-in", s.handle(s.handleSignInPost))
	mux.HandleFunc("GET /sign-in/oidc", s.handle(s.handleSSOStart))
	mux.HandleFunc("GET /sign-in/oidc/callback", s.handle(s.handleSSOCallback))
	mux.HandleFunc("POST /sign-out", s.page(s.handleSignOutPost))
	mux.HandleFunc("GET /{$}", s.page(s.handleHome))
	mux.HandleFunc("GET /dashboard", s.page(s.handleDashboard))
	mux.HandleFunc("GET /search", s.page(show(s, "search", s.searchPage)))
	mux.HandleFunc("GET /reminders", s.page(show(s, "reminders", s.remindersPage)))
	mux.HandleFunc("POST /reminders", s.page(s.handleRemindersPost))
	mux.HandleFunc("GET /outbox", s.page(show(s, "outbox", s.outboxPage)))
	mux.HandleFunc("POST /outbox/webhooks", s.page(s.handleWebhookAdd))
	mux.HandleFunc("POST /outbox/webhooks/{id}/remove", s.page(s.handleWebhookRemove))
	mux.HandleFunc("GET /systems", s.page(s.handleSystemsPage))
	mux.HandleFunc("GET /systems/new", s.page(s.handleSystemNewPage))
	mux.HandleFunc("POST /systems", s.page(s.handleSystemSave))
	mux.HandleFunc("GET /systems/{id}", s.page(s.handleSystemPage))
	mux.HandleFunc("GET /systems/{id}/edit", s.page(s.handleSystemEditPage))
	mux.HandleFunc("POST /systems/{id}/edit", s.page(s.handleSystemSave))
	mux.HandleFunc("GET /systems/{id}/delete", s.page(show(s, "system-delete", s.systemDeletePage)))
	mux.HandleFunc("POST /systems/{id}/delete", s.page(s.handleSystemDeletePost))
	mux.HandleFunc("POST /systems/{id}/uses", s.page(s.handleUseAttach))
	mux.HandleFunc("POST /systems/{id}/owners", s.page(s.handleAssignOwners))
	mux.HandleFunc("GET /systems/{id}/uses/{provider}/{offering}/detach", s.page(show(s, "detach", s.detachPage)))
	mux.HandleFunc("POST /systems/{id}/uses/{provider}/{offering}/detach", s.page(s.handleUseDetach))
	mux.HandleFunc("GET /providers", s.page(s.handleProvidersPage))
	mux.HandleFunc("GET /providers/{provider}", s.page(s.handleProviderPage))
	mux.HandleFunc("GET /providers/{provider}/supplier", s.page(show(s, "supplier", s.supplierForm)))
	mux.HandleFunc("POST /providers/{provider}/supplier", s.page(s.handleSupplierPost))
	mux.HandleFunc("GET /providers/{provider}/clauses/new", s.page(show(s, "clause", s.clausePage)))
	mux.HandleFunc("POST /providers/{provider}/clauses", s.page(s.handleClausePost))
	mux.HandleFunc("POST /providers/{provider}/clauses/standard", s.page(s.handleStandardClausesPost))
	mux.HandleFunc("POST /providers/{provider}/clauses/{clause}/remove", s.page(s.handleClauseRemovePost))
	mux.HandleFunc("GET /providers/{provider}/offerings/{offering}", s.page(s.handleOfferingPage))
	mux.HandleFunc("GET /providers/{provider}/offerings/{offering}/statements/{control}", s.page(show(s, "statement", s.statementForm)))
	mux.HandleFunc("POST /providers/{provider}/offerings/{offering}/statements/{control}", s.page(s.handleStatementPost))
	mux.HandleFunc("GET /evidence", s.page(s.handleEvidenceListPage))
	mux.HandleFunc("GET /evidence/new", s.page(show(s, "evidence-new", s.evidenceForm)))
	mux.HandleFunc("POST /evidence", s.heavyHandler(s.page(s.handleEvidencePost)))
	mux.HandleFunc("GET /evidence/{id}", s.page(show(s, "evidence", s.evidencePage)))
	mux.HandleFunc("POST /evidence/{id}/supports", s.page(s.handleEvidenceSupportPost))
	mux.HandleFunc("POST /evidence/{id}/coverage", s.page(s.handleCoveragePost))
	mux.HandleFunc("POST /evidence/{id}/coverage/withdraw", s.page(s.handleCoverageWithdrawPost))
	mux.HandleFunc("GET /assessments", s.page(show(s, "assessments", s.assessmentsPage)))
	mux.HandleFunc("GET /questionnaires", s.page(show(s, "questionnaires", s.questionnairesPage)))
	mux.HandleFunc("POST /questionnaires/import", s.page(s.handleQuestionnaireImportPost))
	mux.HandleFunc("GET /questionnaires/{template}", s.page(show(s, "questionnaire", s.questionnairePage)))
	mux.HandleFunc("GET /questionnaires/{template}/yaml", s.page(s.handleQuestionnaireYAML))
	mux.HandleFunc("POST /questionnaires/{template}/questions", s.page(s.handleQuestionAddPost))
	mux.HandleFunc("POST /questionnaires/{template}/principles", s.page(s.handlePrincipleAddPost))
	mux.HandleFunc("POST /questionnaires/{template}/move", s.page(s.handleQuestionMovePost))
	mux.HandleFunc("GET /suppliers/settings", s.page(show(s, "suppliersettings", s.supplierSettingsPage)))
	mux.HandleFunc("POST /suppliers/settings", s.page(s.handleSupplierSettingsPost))
	mux.HandleFunc("POST /assessments", s.page(s.handleAssessmentStartPost))
	mux.HandleFunc("GET /assessments/{id}", s.page(show(s, "assessment", s.assessmentPage)))
	mux.HandleFunc("POST /assessments/{id}/complete", s.page(s.handleAssessmentCompletePost))
	mux.HandleFunc("GET /assessments/{id}/principles/{control}", s.page(show(s, "principle", s.principlePage)))
	mux.HandleFunc("POST /assessments/{id}/principles/{control}", s.page(s.handlePrinciplePost))
	mux.HandleFunc("POST /assessments/{id}/portal", s.page(s.handlePortalLinkPost))
	mux.HandleFunc("POST /assessments/{id}/portal/{link}/review", s.page(s.handlePortalReviewPost))
	// The supplier portal: reached by a link's secret alone, no account.
	mux.HandleFunc("GET /portal/{secret}", s.handle(show(s, "portal", s.portalPage)))
	mux.HandleFunc("POST /portal/{secret}/answers", s.handle(s.handlePortalAnswersPost))
	mux.HandleFunc("POST /portal/{secret}/evidence", s.handle(s.handlePortalEvidencePost))
	mux.HandleFunc("POST /portal/{secret}/submit", s.handle(s.handlePortalSubmitPost))
	mux.HandleFunc("GET /scorecards", s.page(show(s, "scorecards", s.scorecardsPage)))
	mux.HandleFunc("GET /scorecards/{provider}/{offering}", s.page(show(s, "scorecard", s.scorecardPage)))
	mux.HandleFunc("POST /providers/{provider}/review", s.page(s.handleReviewCadencePost))
	mux.HandleFunc("GET /sats", s.page(show(s, "sats", s.satsPage)))
	mux.HandleFunc("POST /sats", s.page(s.handleSATStartPost))
	mux.HandleFunc("GET /sats/{id}", s.page(show(s, "sat", s.satPage)))
	mux.HandleFunc("POST /sats/{id}", s.page(s.handleSATPost))
	mux.HandleFunc("POST /sats/{id}/import", s.heavyHandler(s.page(s.handleSATImportPost)))
	mux.HandleFunc("POST /sats/{id}/complete", s.page(s.handleSATCompletePost))
	mux.HandleFunc("GET /risks", s.page(show(s, "risks", s.risksPage)))
	mux.HandleFunc("GET /risks/proposals", s.page(show(s, "proposals", s.proposalsPage)))
	mux.HandleFunc("GET /risks/cumulative", s.page(show(s, "cumulative", s.cumulativePage)))
	mux.HandleFunc("POST /risks/proposals/{id}/dismiss", s.page(s.handleProposalDismissPost))
	mux.HandleFunc("GET /risks/new", s.page(show(s, "risk", func(r *http.Request) (*RiskFormPage, error) { return s.riskForm(r, true) })))
	mux.HandleFunc("POST /risks", s.page(s.handleRiskPost))
	mux.HandleFunc("GET /risks/{id}", s.page(show(s, "risk", func(r *http.Request) (*RiskFormPage, error) { return s.riskForm(r, false) })))
	mux.HandleFunc("POST /risks/{id}", s.page(s.handleRiskPost))
	mux.HandleFunc("POST /risks/{id}/accept", s.page(s.handleRiskAcceptPost))
	mux.HandleFunc("POST /risks/{id}/approval", s.page(s.handleRiskApproval))
	mux.HandleFunc("GET /findings", s.page(show(s, "findings", s.findingsPage)))
	mux.HandleFunc("POST /findings", s.page(s.handleFindingPost))
	mux.HandleFunc("GET /findings/{id}", s.page(show(s, "finding", s.findingPage)))
	mux.HandleFunc("POST /findings/{id}", s.page(s.handleFindingUpdatePost))
	mux.HandleFunc("GET /catalogues", s.page(s.handleCataloguesPage))
	mux.HandleFunc("GET /catalogues/{id}", s.page(s.handleCataloguePage))
	mux.HandleFunc("GET /graph", s.page(s.handleGraphPage))
	mux.HandleFunc("GET /audit", s.page(s.handleAuditPage))
	mux.HandleFunc("GET /users", s.page(show(s, "users", s.usersPage)))
	mux.HandleFunc("POST /users", s.page(s.handleUserPost))
	mux.HandleFunc("GET /users/{email}", s.page(show(s, "user", s.accountAdmin)))
	mux.HandleFunc("POST /users/{email}", s.page(s.handleAccountPost))
	mux.HandleFunc("GET /users/{email}/disable", s.page(show(s, "user", s.accountConfirmPage("disable"))))
	mux.HandleFunc("POST /users/{email}/disable", s.page(s.handleAccountDisablePost(true)))
	mux.HandleFunc("POST /users/{email}/enable", s.page(s.handleAccountDisablePost(false)))
	mux.HandleFunc("GET /users/{email}/reset-password", s.page(show(s, "user", s.accountConfirmPage("reset-password"))))
	mux.HandleFunc("POST /users/{email}/reset-password", s.page(s.handlePasswordResetPost))
	mux.HandleFunc("GET /tokens", s.page(show(s, "tokens", s.tokensPage)))
	mux.HandleFunc("POST /tokens", s.page(s.handleTokenPost))
	mux.HandleFunc("POST /tokens/{id}/revoke", s.page(s.handleTokenRevokePost))
	mux.HandleFunc("GET /obligations/{id...}", s.page(s.handleObligationPage))
	mux.HandleFunc("POST /obligations/{id...}", s.page(s.handleTrackingPost))
}
