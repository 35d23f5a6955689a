package remit

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Callers test them with errors.Is; adapters map them to
// exit codes and HTTP statuses.
var (
	// ErrNotFound means the thing asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict means the change collides with the current state
	// (a duplicate id, or a stale version).
	ErrConflict = errors.New("conflict")
	// ErrForbidden means the caller may not do this.
	ErrForbidden = errors.New("forbidden")
)

// Problem is one thing wrong with some input. Pointer is a JSON pointer into
// the Workspace (for example /providers/2/offerings/0/statements/5/class);
// File, Line and Column are filled in when the input came from a file.
type Problem struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Pointer string `json:"pointer,omitempty"`
	Message string `json:"message"`
}

// String formats the problem as file:line:column: message, falling back to
// the pointer when the problem has no file position.
func (p Problem) String() string {
	switch {
	case p.File != "" && p.Line > 0 && p.Column > 0:
		return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Column, p.Message)
	case p.File != "" && p.Line > 0:
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	case p.File != "":
		return fmt.Sprintf("%s: %s", p.File, p.Message)
	case p.Pointer != "":
		return fmt.Sprintf("%s: %s", p.Pointer, p.Message)
	}
	return p.Message
}

// ValidationError lists every problem found in some input at once, so the
// user can fix them all in one go.
type ValidationError struct {
	Problems []Problem
}

// Error joins the problems one per line.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}
