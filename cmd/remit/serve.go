package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"remit/examples"
	"remit/internal/accounts"
	"remit/internal/checks"
	"remit/internal/content"
	"remit/internal/jobs"
	"remit/internal/notify"
	"remit/internal/oscal"
	"remit/internal/remit"
	"remit/internal/service"
	"remit/internal/web"
	"remit/internal/workspace"
)

func (e *env) serveCommand() *cobra.Command {
	var addr, database string
	var demo bool
	var poll, sweepEvery, grace time.Duration
	var proxies []string
	var checkpoints string
	var publicURL, tlsCert, tlsKey string
	var smtpAddr, smtpFrom, smtpUser string
	var sso ssoFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the Remit service: the web UI, the JSON API, health and metrics",
		Long: `Run the service on --addr (127.0.0.1:8080 by default) over --database.
With --demo, start on a fresh SQLite file loaded with the example estate and
a demo account for each role, and print how to sign in. Several servers may share one
PostgreSQL database: each picks up the others' changes within --poll.`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, a []string) error {
			ctx := cmd.Context()
			if poll <= 0 {
				return usagef("--poll %v is not a duration: give how often to pick up other servers' changes, such as 500ms", poll)
			}
			if env := e.getenv("REMIT_TRUSTED_PROXIES"); env != "" && len(proxies) == 0 {
				proxies = strings.Split(env, ",")
			}
			var trusted []netip.Prefix
			for _, p := range proxies {
				p = strings.TrimSpace(p)
				prefix, err := netip.ParsePrefix(p)
				if err != nil {
					a, aerr := netip.ParseAddr(p)
					if aerr != nil {
						return usagef("--trusted-proxy %q is not an address or a CIDR range such as 10.0.0.0/8", p)
					}
					prefix = netip.PrefixFrom(a, a.BitLen())
				}
				trusted = append(trusted, prefix)
			}
			if publicURL == "" {
				publicURL = e.getenv("REMIT_PUBLIC_URL")
			}
			var public *url.URL
			if publicURL != "" {
				u, err := url.Parse(publicURL)
				if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
					return usagef("--public-url %q is not the server's public address: give it as https://remit.example.gov.uk", publicURL)
				}
				u.Path = ""
				public = u
			}
			if smtpAddr == "" {
				smtpAddr = e.getenv("REMIT_SMTP_ADDR")
			}
			if smtpFrom == "" {
				smtpFrom = e.getenv("REMIT_SMTP_FROM")
			}
			if smtpUser == "" {
				smtpUser = e.getenv("REMIT_SMTP_USER")
			}
			var mailer *notify.SMTP
			if smtpAddr != "" {
				if _, _, err := net.SplitHostPort(smtpAddr); err != nil {
					return usagef("--smtp %q is not host:port, such as smtp.example.gov.uk:587", smtpAddr)
				}
				if !strings.Contains(smtpFrom, "@") {
					return usagef("--smtp-from %q is not an email address: reminders need a sender, such as remit@example.gov.uk", smtpFrom)
				}
				mailer = &notify.SMTP{Addr: smtpAddr, From: smtpFrom, Username: smtpUser, Password: e.getenv("REMIT_SMTP_PASSWORD")}
			}
			if (tlsCert == "") != (tlsKey == "") {
				return usagef("--tls-cert and --tls-key go together: give both to serve HTTPS, or neither")
			}
			log := slog.New(slog.NewJSONHandler(e.stderr, nil))
			var cert *certificate
			if tlsCert != "" {
				var err error
				if cert, err = newCertificate(tlsCert, tlsKey, log); err != nil {
					return usagef("%v", err)
				}
			}
			if demo {
				dir, err := os.MkdirTemp("", "remit-demo-")
				if err != nil {
					return fmt.Errorf("demo: %w", err)
				}
				database = filepath.Join(dir, "remit.db")
			}
			s, err := openStore(ctx, database, true)
			if err != nil {
				return err
			}
			defer s.Close()
			keys, err := e.auditKeys()
			if err != nil {
				return err
			}
			if checkpoints == "" {
				checkpoints = e.getenv("REMIT_AUDIT_CHECKPOINTS")
			}
			svc, err := service.Open(ctx, service.Config{Store: s, Defaults: content.Defaults(), Questionnaire: content.SupplierQuestionnaire(), SATTemplate: content.SATObjectives(), AuditKeys: keys, CheckMappings: content.CheckMappings(), StandardClauses: content.SecurityAspectsLetter().Clauses})
			if err != nil {
				return err
			}
			oidc, err := sso.config(ctx, e.getenv, publicURL, svc.Now)
			if err != nil {
				return err
			}
			var accounts []string
			if demo {
				if accounts, err = seedDemo(ctx, svc, e.admin()); err != nil {
					return err
				}
			}
			tuneServingGC(os.Getenv)
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return usagef("cannot listen on %s: %v", addr, err)
			}
			host, _, _ := net.SplitHostPort(ln.Addr().String())
			loopback := host == "127.0.0.1" || host == "::1" || host == "localhost"
			// Cookies are Secure when people reach the server over HTTPS:
			// its own TLS, or a proxy's (--public-url https://…); without
			// either, everywhere but on loopback, for development.
			secure := !loopback
			switch {
			case cert != nil:
				secure = true
			case public != nil:
				secure = public.Scheme == "https"
			}
			handler := web.NewServer(web.Config{Service: svc, Log: log, Secure: secure, TrustedProxies: trusted, PublicURL: public,
				OIDC: oidc, NoPasswordSignIn: !sso.passwords, BreakGlass: strings.ToLower(sso.breakGlass), Email: mailer != nil})
			srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second}
			scheme := "http"
			if cert != nil {
				scheme = "https"
				srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: cert.GetCertificate}
				ln = tls.NewListener(ln, srv.TLSConfig)
				hup := make(chan os.Signal, 1)
				signal.Notify(hup, syscall.SIGHUP)
				defer signal.Stop(hup)
				go func() {
					for range hup {
						if err := cert.reload(); err != nil {
							log.Error("SIGHUP: the TLS certificate does not load: keeping the one in use", "err", err)
						} else {
							log.Info("SIGHUP: TLS certificate reloaded", "file", tlsCert)
						}
					}
				}()
			}
			followCtx, stopFollowing := context.WithCancel(ctx)
			defer stopFollowing()
			go svc.Follow(followCtx, poll, log)
			// Background work on River: record evidence lapsing, purge
			// expired sessions and keep the day's snapshots of the
			// scorecards and the risk register.
			// Links in reminders point at the public address, or at the
			// one served.
			base := "http://" + addr
			if public != nil {
				base = public.String()
			}
			hooks := &http.Client{Timeout: 30 * time.Second}
			runner, err := jobs.Start(ctx, jobs.Config{Database: database, Every: sweepEvery, Log: log, Sweep: func(ctx context.Context) error {
				lapses, purged, err := svc.Sweep(ctx)
				if len(lapses) > 0 || purged > 0 {
					log.Info("swept", "evidence_lapsed", len(lapses), "purged", purged)
				}
				if err != nil {
					return err
				}
				// Reminders: found once, then the day's digests (a mail
				// server that fails is logged and tried at the next sweep).
				now := svc.Now()
				if n, err := svc.Remind(ctx, now); err != nil {
					return err
				} else if n > 0 {
					log.Info("reminders", "new", n)
				}
				if mailer != nil {
					if sent, err := svc.SendDigests(ctx, mailer, base, now); err != nil {
						log.Warn("reminder digests", "sent", sent, "err", err)
					} else if sent > 0 {
						log.Info("reminder digests", "sent", sent)
					}
				}
				if checkpoints == "" {
					return nil
				}
				// The trail's head, outside the database: in the file and
				// in the log.
				c, err := svc.Checkpoint(ctx, checkpoints)
				if err != nil {
					return err
				}
				log.Info("audit checkpoint", "seq", c.Seq, "hash", c.Hash, "mac", c.MAC, "file", checkpoints)
				return nil
			},
				Webhooks: func(ctx context.Context) ([]string, error) { return svc.PendingWebhooks(ctx, svc.Now()) },
				Deliver:  func(ctx context.Context, id string) error { return svc.DeliverWebhook(ctx, hooks, id, base) },
			})
			if err != nil {
				if ctx.Err() != nil {
					return nil // stopped while starting: as asked
				}
				return err
			}
			defer func() {
				stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				if err := runner.Stop(stopCtx); err != nil {
					log.Error("stop jobs", "err", err)
				}
			}()
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(ln) }()
			at := scheme + "://" + ln.Addr().String()
			fmt.Fprintf(e.stdout, "Remit is running at %s (API %s/api/v1, OpenAPI %s/api/v1/openapi.json)\n", at, at, at)
			fmt.Fprintf(e.stdout, "Database: %s\n", database)
			if us, err := svc.Users(ctx, e.admin()); err == nil && len(us) == 0 && oidc == nil {
				// A first run: nobody can sign in yet.
				fmt.Fprintf(e.stdout, "No accounts yet. Create the first admin with:\n  remit user add you@example.gov.uk --role admin --database %s\n", database)
				log.Warn("no accounts yet: create the first admin with remit user add EMAIL --role admin")
			}
			if demo {
				fmt.Fprintf(e.stdout, "Demo accounts (sign in at %s/sign-in, or with POST /api/v1/session):\n", at)
				for _, a := range accounts {
					fmt.Fprintln(e.stdout, "  "+a)
				}
			}

			select {
			case err := <-errc:
				return fmt.Errorf("serve: %w", err)
			case <-ctx.Done():
			}
			// Stop taking connections at once, let the requests in flight
			// finish for up to --grace, then close what is left: a
			// shutdown that was asked for is not a failure.
			log.Info("shutting down", "grace", grace.String())
			shutdownCtx, cancel := context.WithTimeout(context.Background(), grace)
			defer cancel()
			if err := srv.Shutdown(shutdownCtx); err != nil {
				log.Warn("the grace period ended with requests still in flight: closing them", "grace", grace.String(), "err", err)
				_ = srv.Close()
			}
			if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on")
	cmd.Flags().BoolVar(&demo, "demo", false, "start on a fresh SQLite file with the example estate and demo accounts")
	cmd.Flags().DurationVar(&poll, "poll", 500*time.Millisecond, "how often to pick up changes made by other servers")
	cmd.Flags().DurationVar(&grace, "grace", 30*time.Second, "on SIGTERM or Ctrl-C, how long requests in flight may take to finish before the server closes them and exits 0")
	cmd.Flags().DurationVar(&sweepEvery, "sweep", time.Hour, "how often the background sweep records lapsed evidence and snapshots scorecards")
	cmd.Flags().StringVar(&checkpoints, "audit-checkpoints", "", "a file outside the database where every sweep appends the audit trail's head (env REMIT_AUDIT_CHECKPOINTS); remit audit verify --checkpoints checks it")
	cmd.Flags().StringSliceVar(&proxies, "trusted-proxy", nil, "a reverse proxy in front of the server, as an address or CIDR range (repeat; env REMIT_TRUSTED_PROXIES, comma-separated): its X-Forwarded-For names the client")
	cmd.Flags().StringVar(&publicURL, "public-url", "", "the address people reach Remit at, such as https://remit.example.gov.uk behind a TLS proxy (env REMIT_PUBLIC_URL): it makes cookies Secure when https, and the supplier portal's links")
	cmd.Flags().StringVar(&smtpAddr, "smtp", "", "the mail server reminders' daily digests go through, host:port (env REMIT_SMTP_ADDR; STARTTLS when it offers it); without it no email is sent, and reminders still reach the outbox and webhooks")
	cmd.Flags().StringVar(&smtpFrom, "smtp-from", "", "the address digests come from (env REMIT_SMTP_FROM)")
	cmd.Flags().StringVar(&smtpUser, "smtp-user", "", "the mail server's username (env REMIT_SMTP_USER; the password from REMIT_SMTP_PASSWORD)")
	cmd.Flags().StringVar(&tlsCert, "tls-cert", "", "serve HTTPS with this certificate (PEM, with its chain); reloaded on SIGHUP or when the file changes")
	cmd.Flags().StringVar(&tlsKey, "tls-key", "", "the TLS certificate's private key (PEM)")
	sso.register(cmd)
	e.databaseFlag(cmd, &database)
	return cmd
}

// seedDemo loads the example estate and creates one account per kind of
// user, returning how to sign in as each.
func seedDemo(ctx context.Context, svc *service.Service, admin remit.Principal) ([]string, error) {
	ws, err := workspace.LoadFS(examples.Justice(), "examples/justice")
	if err != nil {
		return nil, err
	}
	admin.Email, admin.Name = "demo", "demo"
	if _, err := svc.Import(ctx, admin, ws, false); err != nil {
		return nil, err
	}
	var out []string
	for _, u := range []accounts.User{
		{Email: "admin@example.gov.uk", Name: "Ada Admin", Role: remit.RoleAdmin},
		{Email: demoEditor.Email, Name: demoEditor.Name, Role: demoEditor.Role, Teams: demoEditor.Teams},
		{Email: "viewer@example.gov.uk", Name: "Vic Viewer", Role: remit.RoleViewer},
		{Email: demoAssessor.Email, Name: demoAssessor.Name, Role: demoAssessor.Role},
		{Email: demoRisk.Email, Name: demoRisk.Name, Role: demoRisk.Role},
	} {
		password := randomPassword()
		if _, err := svc.AddUser(ctx, admin, u, password); err != nil {
			return nil, err
		}
		out = append(out, fmt.Sprintf("%-22s password %s  (%s)", u.Email, password, u.Role))
	}
	if err := seedEvidence(ctx, svc, admin, svc.Now()); err != nil {
		return nil, err
	}
	if err := seedChecks(ctx, svc, admin, svc.Now()); err != nil {
		return nil, err
	}
	if err := seedWork(ctx, svc, admin, svc.Now()); err != nil {
		return nil, err
	}
	// CaseTrack's own POA&M measures it (its patching item fails CaseTrack's
	// obligation for SRM-03 in court case tracking).
	m, err := oscal.ReadMeasured("casetrack-poam.yaml", examples.CaseTrackPOAM(), nil)
	if err != nil {
		return nil, err
	}
	if _, err := svc.ImportProviderFindings(ctx, admin, "casetrack/casetrack-cloud", "", m, 0, false); err != nil {
		return nil, err
	}
	return out, nil
}

// seedChecks hands in automated check results as a pipeline would, so
// that every state shows: Security Hub for the organisation, split by
// account (examples/justice/checks/estate.yaml) — prison-visits' open SSH
// fails network access control, court-case-tracking's checks pass,
// legal-aid-portal's last pass is ten days old (stale) — and a Checkov run
// of prison-visits' Terraform.
func seedChecks(ctx context.Context, svc *service.Service, admin remit.Principal, now time.Time) error {
	ago := func(d time.Duration) time.Time { return now.Add(-d).UTC() }
	hub := checks.Run{Format: checks.ASFF, Tool: "Security Hub", Results: []checks.Result{
		{Rule: "EC2.13", Resource: "arn:aws:ec2:eu-west-2:111122223333:security-group/sg-0a1b2c3d", Outcome: checks.Fail, Severity: "HIGH", Message: "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22", Account: "111122223333", Observed: ago(2 * time.Hour)},
		{Rule: "EC2.13", Resource: "arn:aws:ec2:eu-west-2:111122223333:security-group/sg-0b2c3d4e", Outcome: checks.Pass, Severity: "HIGH", Message: "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22", Account: "111122223333", Observed: ago(2 * time.Hour)},
		{Rule: "S3.8", Resource: "arn:aws:s3:::visits-documents", Outcome: checks.Pass, Severity: "HIGH", Message: "S3 general purpose buckets should block public access", Account: "111122223333", Observed: ago(2 * time.Hour)},
		{Rule: "IAM.6", Resource: "AWS::::Account:111122223333", Outcome: checks.Pass, Severity: "CRITICAL", Message: "Hardware MFA should be enabled for the root user", Account: "111122223333", Observed: ago(2 * time.Hour)},
		{Rule: "EC2.19", Resource: "arn:aws:ec2:eu-west-2:444455556666:security-group/sg-0f1e2d3c", Outcome: checks.Pass, Severity: "CRITICAL", Message: "Security groups should not allow unrestricted access to ports with high risk", Account: "444455556666", Observed: ago(3 * time.Hour)},
		{Rule: "RDS.3", Resource: "arn:aws:rds:eu-west-2:444455556666:db:cases", Outcome: checks.Pass, Severity: "MEDIUM", Message: "RDS DB instances should have encryption at-rest enabled", Account: "444455556666", Observed: ago(3 * time.Hour)},
		{Rule: "S3.8", Resource: "arn:aws:s3:::legal-aid-uploads", Outcome: checks.Pass, Severity: "HIGH", Message: "S3 general purpose buckets should block public access", Account: "777788889999", Observed: ago(10 * 24 * time.Hour)},
	}}
	checkov := checks.Run{Format: checks.SARIF, Tool: "Checkov", Version: "3.2.300", Results: []checks.Result{
		{Rule: "CKV_AWS_19", Resource: "storage/buckets.tf:4", Outcome: checks.Pass, Message: "Ensure all data stored in the S3 bucket is securely encrypted at rest", Observed: ago(26 * time.Hour)},
		{Rule: "CKV_AWS_3", Resource: "compute/volumes.tf:12", Outcome: checks.Pass, Message: "Ensure all data stored in the EBS is securely encrypted", Observed: ago(26 * time.Hour)},
	}}
	if _, err := svc.IngestChecks(ctx, admin, "", hub); err != nil {
		return fmt.Errorf("demo checks: %w", err)
	}
	if _, err := svc.IngestChecks(ctx, admin, "prison-visits", checkov); err != nil {
		return fmt.Errorf("demo checks: %w", err)
	}
	return nil
}

// seedEvidence gives the demo a little evidence, dated from today so that
// every state shows: current, expiring soon, expired, and a SOC 2 report
// whose CUECs are partly mapped to our obligations; and an assessor's
// decision that CaseTrack's certificate does not cover the AWS hosting
// CaseTrack runs on (the chain of reliance).
func seedEvidence(ctx context.Context, svc *service.Service, admin remit.Principal, now time.Time) error {
	day := func(days int) string { return now.UTC().AddDate(0, 0, days).Format(time.DateOnly) }
	items := []struct {
		ev      remit.Evidence
		name    string
		content string
	}{
		{ev: remit.Evidence{Kind: remit.EvidenceISO27001, Title: "AWS ISO/IEC 27001 certificate", Issuer: "The provider's certification body", Issued: day(-200), Expires: day(530),
			URL: "https://aws.amazon.com/compliance/iso-27001-faqs/", Supports: []remit.Support{{On: remit.SupportOffering, Ref: "aws/ec2"}, {On: remit.SupportOffering, Ref: "aws/s3"}, {On: remit.SupportOffering, Ref: "aws/rds"}}}},
		{ev: remit.Evidence{Kind: remit.EvidenceCyberEssentialsPlus, Title: "CaseTrack Cyber Essentials Plus certificate", Issuer: "A certification body (fictional)", Issued: day(-345), Expires: day(20),
			Scope: "CaseTrack Ltd's whole organisation", Supports: []remit.Support{{On: remit.SupportOffering, Ref: "casetrack/casetrack-cloud"}}},
			name: "casetrack-ce-plus.txt", content: "Cyber Essentials Plus certificate (fictional, for the Remit demo)\nOrganisation: CaseTrack Ltd\n"},
		{ev: remit.Evidence{Kind: remit.EvidencePenTest, Title: "Prison visits IT Health Check", Issuer: "A CHECK company (fictional)", Issued: day(-377), Expires: day(-12),
			Scope: "The public booking site and staff screens", Supports: []remit.Support{{On: remit.SupportSystem, Ref: "prison-visits"}}},
			name: "visits-ithc-summary.txt", content: "IT Health Check summary (fictional, for the Remit demo)\nNo critical findings open.\n"},
		{ev: remit.Evidence{Kind: remit.EvidenceSOC2Type2, Title: "Microsoft 365 SOC 2 Type II report", Issuer: "The provider's auditor", Issued: day(-90), Expires: day(275),
			URL:      "https://learn.microsoft.com/en-us/compliance/regulatory/offering-soc-2",
			Supports: []remit.Support{{On: remit.SupportOffering, Ref: "microsoft/microsoft-365"}},
			SOC2: &remit.SOC2{PeriodStart: day(-455), PeriodEnd: day(-91), CUECs: []remit.CUEC{
				{ID: "CUEC-01", Text: "Customers manage who in their organisation has access, and review it.", Obligations: []string{"staff-intranet/srm:SRM-11/microsoft/microsoft-365/ours"}},
				{ID: "CUEC-02", Text: "Customers configure retention and sharing of their own content."},
			}}}},
	}
	for _, it := range items {
		var content []byte
		if it.content != "" {
			content = []byte(it.content)
		}
		added, err := svc.AddEvidence(ctx, admin, it.ev, it.name, content)
		if err != nil {
			return fmt.Errorf("demo evidence %q: %w", it.ev.Title, err)
		}
		if it.ev.Kind == remit.EvidenceCyberEssentialsPlus {
			d := remit.CoverageDecision{Offering: "aws/ec2", Rationale: "Cyber Essentials Plus certifies CaseTrack's own network and devices; the AWS hosting it runs on is outside its scope, so AWS's own certificate must carry that part."}
			_, version, err := svc.EvidenceItem(ctx, added.ID)
			if err != nil {
				return err
			}
			if _, err := svc.DecideCoverage(ctx, admin, added.ID, d, version); err != nil {
				return fmt.Errorf("demo coverage decision: %w", err)
			}
		}
	}
	return nil
}

func randomPassword() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (e *env) userCommand() *cobra.Command {
	var database, name string
	var role string
	var teams []string
	user := &cobra.Command{Use: "user", Short: "Manage accounts"}
	add := &cobra.Command{
		Use:   "add EMAIL --role ROLE",
		Short: "Create an account (the password is read from standard input, or generated)",
		Args:  args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			data, err := io.ReadAll(io.LimitReader(e.stdin, 4096))
			if err != nil {
				return fmt.Errorf("read password: %w", err)
			}
			password := strings.TrimRight(string(data), "\r\n")
			generated := password == ""
			if generated {
				password = randomPassword()
			}
			return e.withService(cmd, database, true, func(svc *service.Service) error {
				u, err := svc.AddUser(cmd.Context(), e.admin(), accounts.User{Email: a[0], Name: name, Role: remit.Role(role), Teams: teams}, password)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "Created %s (%s).\n", u.Email, u.Role)
				if generated {
					fmt.Fprintf(e.stdout, "Password: %s\n", password)
				}
				return nil
			})
		},
	}
	add.Flags().StringVar(&role, "role", "", "viewer, editor, assessor, risk-owner or admin (required)")
	add.Flags().StringVar(&name, "name", "", "the person's name")
	add.Flags().StringSliceVar(&teams, "team", nil, "a team the user belongs to (repeat for several)")
	e.databaseFlag(add, &database)
	user.AddCommand(add)
	user.AddCommand(e.accountCommands()...)
	return user
}
