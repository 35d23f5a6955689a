package remit

import (
	"fmt"
	"strings"
)

// suggest returns ` (did you mean "x"?)` for the candidate closest to s, or
// "" when none is close enough to be a likely typo.
func suggest(s string, candidates []string) string {
	if best := Closest(s, candidates); best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}

// Suggest is suggest for callers outside the package: ` (did you mean
// "x"?)` or "".
func Suggest(s string, candidates []string) string { return suggest(s, candidates) }

// Closest returns the candidate most likely meant by s: an exact match
// ignoring case, else the one with the smallest edit distance within about
// a third of the length (at least 1). Ties go to the alphabetically first. It
// returns "" when nothing is close.
func Closest(s string, candidates []string) string {
	if s == "" {
		return ""
	}
	limit := max(1, (len(s)+1)/3)
	best, bestDist := "", limit+1
	lower := strings.ToLower(s)
	for _, c := range candidates {
		if c == s {
			continue
		}
		d := distance(lower, strings.ToLower(c))
		if d < bestDist || (d == bestDist && c < best) {
			best, bestDist = c, d
		}
	}
	return best
}

// distance is the Levenshtein edit distance between a and b, in bytes.
func distance(a, b string) int {
	if len(a) < len(b) {
		a, b = b, a
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
