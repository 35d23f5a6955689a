package web

import (
	"context"

	"remit/internal/accounts"
	"remit/internal/remit"
	"remit/internal/service"
)

// The account lifecycle through the API (an admin's): read one account
// with its ETag, change its name, role, teams or whether it is disabled,
// and reset its password. Every change quotes the ETag it read.

type userPathInput struct {
	Email string `path:"email" maxLength:"320" doc:"The account's email address"`
}

type userVersionOutput struct {
	ETag string `header:"ETag"`
	Body accounts.User
}

func (s *server) handleUserGet(ctx context.Context, in *userPathInput) (*userVersionOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	u, v, err := s.Service.UserVersion(ctx, p, in.Email)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &userVersionOutput{ETag: etag(v), Body: u}, nil
}

type userChangeInput struct {
	Email   string `path:"email" maxLength:"320"`
	IfMatch string `header:"If-Match" doc:"The ETag of the account you read"`
	Body    struct {
		Name     *string     `json:"name,omitempty" maxLength:"300"`
		Role     *remit.Role `json:"role,omitempty" enum:"viewer,editor,assessor,risk-owner,admin"`
		Teams    *[]string   `json:"teams,omitempty" maxItems:"100"`
		Disabled *bool       `json:"disabled,omitempty" doc:"true switches the account off: its sessions end and its API tokens stop working at once"`
	}
}

func (s *server) handleUserChange(ctx context.Context, in *userChangeInput) (*userVersionOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	version, err := ifMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	u, v, err := s.Service.ChangeUser(ctx, p, in.Email, service.UserChange{Name: in.Body.Name, Role: in.Body.Role, Teams: in.Body.Teams, Disabled: in.Body.Disabled}, version)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	s.verified.forget(func(string) bool { return true }) // tokens are checked afresh
	return &userVersionOutput{ETag: etag(v), Body: u}, nil
}

type passwordResetInput struct {
	Email   string `path:"email" maxLength:"320"`
	IfMatch string `header:"If-Match" doc:"The ETag of the account you read"`
}

type passwordResetOutput struct {
	ETag string `header:"ETag"`
	Body struct {
		Password string `json:"password" doc:"The new password: shown once, to pass on"`
	}
}

func (s *server) handlePasswordReset(ctx context.Context, in *passwordResetInput) (*passwordResetOutput, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	version, err := ifMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	password, v, err := s.Service.ResetPassword(ctx, p, in.Email, version)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	out := &passwordResetOutput{ETag: etag(v)}
	out.Body.Password = password
	return out, nil
}
