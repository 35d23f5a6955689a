package remit

import "testing"

// TestTrackingOverdue: only an open obligation (not started, in progress)
// past its due day is overdue; the due day itself is not past.
func TestTrackingOverdue(t *testing.T) {
	for _, c := range []struct {
		t    Tracking
		want bool
	}{
		{Tracking{Status: StatusNotStarted, Due: "2026-12-04"}, true},
		{Tracking{Status: StatusInProgress, Due: "2026-12-04"}, true},
		{Tracking{Status: StatusInProgress, Due: "2026-12-05"}, false},
		{Tracking{Status: StatusNotStarted}, false},
		{Tracking{Status: StatusImplemented, Due: "2026-01-01"}, false},
		{Tracking{Status: StatusNotApplicable, Due: "2026-01-01", Reason: "x"}, false},
	} {
		if got := c.t.Overdue("2026-12-05"); got != c.want {
			t.Errorf("%+v: overdue %v, want %v", c.t, got, c.want)
		}
	}
}
