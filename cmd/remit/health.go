package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/cobra"
)

// healthCommand checks a running server, for container health checks
// (the image has no shell or curl): exit 0 when /healthz answers 200, 1
// otherwise.
func (e *env) healthCommand() *cobra.Command {
	var target string
	cmd := &cobra.Command{
		Use:   "health --url URL",
		Short: "Check a running server: exit 0 when its /healthz answers 200, 1 otherwise",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), 5*time.Second)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
			if err != nil {
				return usagef("--url %q is not a URL: give http://127.0.0.1:8080/healthz", target)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return &foundError{fmt.Sprintf("%s: %v", target, err)}
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return &foundError{fmt.Sprintf("%s answered %s", target, resp.Status)}
			}
			fmt.Fprintf(e.stdout, "%s: ok\n", target)
			return nil
		},
	}
	cmd.Flags().StringVar(&target, "url", "http://127.0.0.1:8080/healthz", "the server's health address")
	return cmd
}
