package web

import (
	"net/http"
	"strings"
)

// secretWildcards are the route wildcards that carry a secret (the
// supplier portal's link); logs show the route's shape there instead.
var secretWildcards = map[string]bool{"{secret}": true}

// redactedPath is a request's path as logs may show it: every segment a
// secret wildcard of pattern matches is replaced by the wildcard's name,
// so "/portal/rp_abc…/answers" logs as "/portal/{secret}/answers".
func redactedPath(path, pattern string) string {
	_, route, _ := strings.Cut(pattern, " ")
	if route == "" {
		route = pattern
	}
	if !strings.Contains(route, "{secret") {
		if rest, ok := strings.CutPrefix(path, "/portal/"); ok {
			// No portal route matched, but what follows may still be
			// someone's secret, mistyped.
			_, tail, _ := strings.Cut(rest, "/")
			return "/portal/{secret}/" + tail
		}
		return path
	}
	want := strings.Split(route, "/")
	got := strings.Split(path, "/")
	for i, w := range want {
		if i < len(got) && secretWildcards[w] {
			got[i] = w
		}
	}
	return strings.Join(got, "/")
}

// logPath is the path of a request a handler serves, as logs may show it.
func logPath(r *http.Request) string { return redactedPath(r.URL.Path, r.Pattern) }
