package service_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"remit/internal/accounts"
	"remit/internal/remit"
	"remit/internal/service"
)

// TestAccountLifecycle: an admin disables an account — its sessions end and
// its tokens stop at once — enables it again, changes its role and teams,
// resets its password; the last admin can be neither disabled nor demoted
// (by an admin or by single sign-on); a stale version is refused; every
// change is audited.
func TestAccountLifecycle(t *testing.T) {
	eachStore(t, func(t *testing.T, st remit.Store) {
		ctx := context.Background()
		f := open(t, st, nil, nil)
		f.addUsers(t, admin, editor)
		session, _, err := f.svc.SignIn(ctx, editor.Email, "correct horse battery", "192.0.2.1", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		_, token, err := f.svc.CreateToken(ctx, editor, "ci", editor.Role, 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		works := func(credential string) bool {
			_, err := f.svc.Authenticate(ctx, credential)
			return err == nil
		}
		if !works(session) || !works(token) {
			t.Fatal("credentials do not work to begin with")
		}
		version := func(email string) int64 {
			_, v, err := f.svc.UserVersion(ctx, admin, email)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		yes, no := true, false

		// Only an admin changes accounts.
		if _, _, err := f.svc.ChangeUser(ctx, editor, editor.Email, service.UserChange{Disabled: &yes}, version(editor.Email)); !errors.Is(err, remit.ErrForbidden) {
			t.Errorf("an editor disabled an account: %v", err)
		}
		// A stale version is refused.
		if _, _, err := f.svc.ChangeUser(ctx, admin, editor.Email, service.UserChange{Disabled: &yes}, version(editor.Email)-1); !errors.Is(err, remit.ErrConflict) {
			t.Errorf("stale version: %v", err)
		}

		u, _, err := f.svc.ChangeUser(ctx, admin, editor.Email, service.UserChange{Disabled: &yes}, version(editor.Email))
		if err != nil || !u.Disabled {
			t.Fatalf("disable: %+v %v", u, err)
		}
		if works(session) || works(token) {
			t.Error("a disabled account's session or token still works")
		}
		if _, _, err := f.svc.SignIn(ctx, editor.Email, "correct horse battery", "192.0.2.1", time.Hour); err == nil {
			t.Error("a disabled account signed in")
		}
		if _, _, err := f.svc.ChangeUser(ctx, admin, editor.Email, service.UserChange{Disabled: &no}, version(editor.Email)); err != nil {
			t.Fatal(err)
		}
		if works(session) || !works(token) {
			t.Errorf("after enabling: session works %v (want false: it ended), token works %v (want true)", works(session), works(token))
		}

		// Role and teams; the token carries at most the role it was made with.
		viewerRole, teams := remit.RoleViewer, []string{"platform-team", "visits-team", "platform-team"}
		u, _, err = f.svc.ChangeUser(ctx, admin, editor.Email, service.UserChange{Role: &viewerRole, Teams: &teams}, version(editor.Email))
		if err != nil || u.Role != remit.RoleViewer || !slices.Equal(u.Teams, []string{"platform-team", "visits-team"}) {
			t.Fatalf("set role: %+v %v", u, err)
		}
		bad, badTeams := remit.Role("boss"), []string{"no spaces please"}
		_, _, err = f.svc.ChangeUser(ctx, admin, editor.Email, service.UserChange{Role: &bad, Teams: &badTeams}, version(editor.Email))
		var ve *remit.ValidationError
		if !errors.As(err, &ve) || len(ve.Problems) != 2 || ve.Problems[0].Pointer != "/role" || ve.Problems[1].Pointer != "/teams/0" {
			t.Errorf("bad role and team: %v", err)
		}

		// The last admin stays one.
		viewerRole = remit.RoleViewer
		for name, c := range map[string]service.UserChange{"disable": {Disabled: &yes}, "demote": {Role: &viewerRole}} {
			_, _, err := f.svc.ChangeUser(ctx, admin, admin.Email, c, version(admin.Email))
			if !errors.As(err, &ve) || !strings.Contains(err.Error(), "there must always be an admin to manage Remit, and admin@example.gov.uk is the last one: make someone else an admin first") {
				t.Errorf("%s the last admin: %v", name, err)
			}
		}
		// … also when single sign-on's groups would take the role away.
		_, u, err = f.svc.SignInSSO(ctx, accounts.Identity{Issuer: "https://idp.example", Subject: "1", Email: admin.Email, Groups: []string{"staff"}},
			accounts.ClaimMapping{DefaultRole: remit.RoleViewer}, "192.0.2.9", time.Hour)
		if err != nil || u.Role != remit.RoleAdmin {
			t.Errorf("single sign-on demoted the last admin: %+v %v", u, err)
		}
		// With a second admin, the first may go.
		adminRole := remit.RoleAdmin
		if _, _, err := f.svc.ChangeUser(ctx, admin, editor.Email, service.UserChange{Role: &adminRole}, version(editor.Email)); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.ChangeUser(ctx, admin, admin.Email, service.UserChange{Role: &viewerRole}, version(admin.Email)); err != nil {
			t.Errorf("demote one of two admins: %v", err)
		}

		// A reset password: the old one fails, the new one works, sessions end.
		s2, _, err := f.svc.SignIn(ctx, editor.Email, "correct horse battery", "192.0.2.1", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.ResetPassword(ctx, editor, editor.Email, version(editor.Email)); !errors.Is(err, remit.ErrForbidden) {
			t.Errorf("an editor reset a password: %v", err)
		}
		password, _, err := f.svc.ResetPassword(ctx, admin, editor.Email, version(editor.Email))
		if err != nil || len(password) < 12 {
			t.Fatalf("reset: %q %v", password, err)
		}
		if works(s2) {
			t.Error("a session outlived the reset")
		}
		if _, _, err := f.svc.SignIn(ctx, editor.Email, "correct horse battery", "192.0.2.1", time.Hour); err == nil {
			t.Error("the old password still works")
		}
		if _, _, err := f.svc.SignIn(ctx, editor.Email, password, "192.0.2.1", time.Hour); err != nil {
			t.Errorf("the new password: %v", err)
		}

		// An account made by single sign-on, then signed in again.
		for range 2 {
			if _, u, err := f.svc.SignInSSO(ctx, accounts.Identity{Issuer: "https://idp.example", Subject: "2", Email: "newcomer@example.gov.uk", Name: "New Comer", Groups: []string{"staff"}},
				accounts.ClaimMapping{DefaultRole: remit.RoleViewer}, "192.0.2.9", time.Hour); err != nil || u.Role != remit.RoleViewer || u.SSO != "https://idp.example" {
				t.Fatalf("single sign-on: %+v %v", u, err)
			}
		}

		// Every change is in the trail, and the trail still verifies.
		var actions []string
		recs, err := f.svc.Audit(ctx, remit.AuditFilter{Kind: service.KindUser, ID: editor.Email, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if r.Actor == admin.Email {
				actions = append(actions, r.Action)
			}
		}
		if n := strings.Count(strings.Join(actions, " "), "update"); n < 4 || !slices.Contains(actions, "reset-password") {
			t.Errorf("audited actions by the admin: %v", actions)
		}
		if rep, err := f.svc.VerifyAudit(ctx, service.AuditCheck{}); err != nil {
			t.Errorf("verify after the lifecycle: %+v %v", rep, err)
		}
	})
}
