package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"remit/internal/remit"
	"remit/internal/report"
	"remit/internal/service"
)

// accountCommands are remit user's lifecycle commands: list, disable,
// enable, set-role and reset-password, each through the service (audited,
// with the account's version checked), as the API and the users page.
func (e *env) accountCommands() []*cobra.Command {
	var list, disable, enable, setRole, reset *cobra.Command
	var database, format, role string
	var teams []string
	list = &cobra.Command{
		Use:   "list",
		Short: "List the accounts: role, teams, how they sign in, and whether disabled",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "json" {
				return usagef("--format %q is not known: use table or json", format)
			}
			return e.withService(cmd, database, false, func(svc *service.Service) error {
				us, err := svc.Users(cmd.Context(), e.admin())
				if err != nil {
					return err
				}
				if format == "json" {
					return e.printJSON(map[string]any{"users": us})
				}
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "EMAIL\tNAME\tROLE\tTEAMS\tSIGNS IN WITH\tSTATE")
				for _, u := range us {
					how, state := "password", "enabled"
					if u.SSO != "" {
						how = "single sign-on"
					}
					if u.Disabled {
						state = "disabled"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", report.Cell(u.Email), report.Cell(or(u.Name, "-")), u.Role,
						report.Cell(or(strings.Join(u.Teams, ", "), "-")), how, state)
				}
				return tw.Flush()
			})
		},
	}
	list.Flags().StringVar(&format, "format", "table", "table or json")

	change := func(cmd *cobra.Command, email string, c service.UserChange, done string) error {
		return e.withService(cmd, database, false, func(svc *service.Service) error {
			_, v, err := svc.UserVersion(cmd.Context(), e.admin(), email)
			if err != nil {
				return err
			}
			u, _, err := svc.ChangeUser(cmd.Context(), e.admin(), email, c, v)
			if err != nil {
				return err
			}
			what := string(u.Role)
			if len(u.Teams) > 0 {
				what += "; teams " + strings.Join(u.Teams, ", ")
			}
			fmt.Fprintf(e.stdout, "%s %s (%s).\n", report.Cell(u.Email), done, report.Cell(what))
			return nil
		})
	}
	yes, no := true, false
	disable = &cobra.Command{
		Use:   "disable EMAIL",
		Short: "Switch an account off: its sessions end and its API tokens stop working, on every server, at once",
		Args:  args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			return change(cmd, a[0], service.UserChange{Disabled: &yes}, "is disabled")
		},
	}
	enable = &cobra.Command{
		Use:   "enable EMAIL",
		Short: "Switch a disabled account back on (its unexpired API tokens work again; it signs in afresh)",
		Args:  args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			return change(cmd, a[0], service.UserChange{Disabled: &no}, "is enabled")
		},
	}
	setRole = &cobra.Command{
		Use:   "set-role EMAIL --role ROLE [--team T]...",
		Short: "Change an account's role, and its teams when --team is given",
		Args:  args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			if role == "" {
				return usagef("--role is required: viewer, editor, assessor, risk-owner or admin")
			}
			r := remit.Role(role)
			c := service.UserChange{Role: &r}
			if cmd.Flags().Changed("team") {
				c.Teams = &teams
			}
			return change(cmd, a[0], c, "is changed")
		},
	}
	setRole.Flags().StringVar(&role, "role", "", "viewer, editor, assessor, risk-owner or admin (required)")
	setRole.Flags().StringSliceVar(&teams, "team", nil, "a team the user belongs to (repeat; give --team= for none)")
	reset = &cobra.Command{
		Use:   "reset-password EMAIL",
		Short: "Give an account a new generated password, printed once; its sessions end",
		Args:  args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			return e.withService(cmd, database, false, func(svc *service.Service) error {
				_, v, err := svc.UserVersion(cmd.Context(), e.admin(), a[0])
				if err != nil {
					return err
				}
				password, _, err := svc.ResetPassword(cmd.Context(), e.admin(), a[0], v)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "New password for %s (pass it on; it is not shown again): %s\n", report.Cell(strings.ToLower(a[0])), password)
				return nil
			})
		},
	}
	cmds := []*cobra.Command{list, disable, enable, setRole, reset}
	for _, c := range cmds {
		e.databaseFlag(c, &database)
	}
	return cmds
}
