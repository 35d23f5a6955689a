package engine

import (
	"slices"

	"remit/internal/remit"
)

// SystemDiff says how one system's responsibilities differ between two
// estates.
type SystemDiff struct {
	System string `json:"system"`
	Name   string `json:"name"`
	// Change is "added", "removed" or "changed".
	Change string       `json:"change"`
	Cells  []CellChange `json:"cells,omitempty"`
}

// CellChange is how one control of a system differs.
type CellChange struct {
	Control    string      `json:"control"`
	Title      string      `json:"title"`
	OldClass   remit.Class `json:"old_class,omitempty"`
	NewClass   remit.Class `json:"new_class,omitempty"`
	OldAssumed bool        `json:"old_assumed"`
	NewAssumed bool        `json:"new_assumed"`
	// OursAdded and OursRemoved are obligations of ours that appear or
	// disappear; TheirsAdded and TheirsRemoved the providers'.
	OursAdded     []DiffObligation `json:"ours_added,omitempty"`
	OursRemoved   []DiffObligation `json:"ours_removed,omitempty"`
	TheirsAdded   []DiffObligation `json:"theirs_added,omitempty"`
	TheirsRemoved []DiffObligation `json:"theirs_removed,omitempty"`
}

// DiffObligation names an obligation by offering and text, which is how
// obligations are compared across two estates.
type DiffObligation struct {
	Offering string `json:"offering,omitempty"` // "" when the whole control is ours
	Text     string `json:"text"`
	Assumed  bool   `json:"assumed"`
}

// Diff compares the effective responsibilities of every system in two
// estates, matching systems by id and controls by reference. Systems with
// no difference are left out; the result is sorted by system id.
func Diff(old, cur *Estate) []SystemDiff {
	return diff(old, cur, func(oi, ci int32) (Matrix, Matrix, bool) { return old.Matrix(oi), cur.Matrix(ci), true })
}

// DiffCaches is Diff over two caches of the same line (one derived from
// the other): a system whose matrix the change did not recompute is the
// same in both and not compared, so the cost is that of the systems the
// change touched.
func DiffCaches(old, cur *Cache) []SystemDiff {
	return diff(old.Estate, cur.Estate, func(oi, ci int32) (Matrix, Matrix, bool) {
		om, cm := old.Matrix(oi), cur.Matrix(ci)
		same := len(om.Cells) > 0 && len(om.Cells) == len(cm.Cells) && &om.Cells[0] == &cm.Cells[0]
		return *om, *cm, !same
	})
}

// diff compares the systems of two estates; matrices gives the two
// matrices of a system (by its index in each) and whether they may differ.
func diff(old, cur *Estate, matrices func(oi, ci int32) (Matrix, Matrix, bool)) []SystemDiff {
	var out []SystemDiff
	for _, sys := range old.Systems() {
		s := sys.System
		if _, ok := cur.SystemIndex(s.ID); !ok {
			out = append(out, SystemDiff{System: s.ID, Name: s.Name, Change: "removed"})
		}
	}
	for i, sys := range cur.Systems() {
		s := sys.System
		oi, ok := old.SystemIndex(s.ID)
		if !ok {
			out = append(out, SystemDiff{System: s.ID, Name: s.Name, Change: "added"})
			continue
		}
		om, cm, differ := matrices(oi, i)
		if !differ {
			continue
		}
		if cells := diffMatrix(old, om, cur, cm); len(cells) > 0 {
			out = append(out, SystemDiff{System: s.ID, Name: s.Name, Change: "changed", Cells: cells})
		}
	}
	slices.SortFunc(out, func(a, b SystemDiff) int {
		if a.System < b.System {
			return -1
		}
		if a.System > b.System {
			return 1
		}
		return 0
	})
	return out
}

func diffMatrix(old *Estate, om Matrix, cur *Estate, cm Matrix) []CellChange {
	before := make(map[string]*Cell, len(om.Cells))
	for i := range om.Cells {
		before[old.Controls[om.Cells[i].Control].Ref] = &om.Cells[i]
	}
	var out []CellChange
	seen := make(map[string]bool, len(cm.Cells))
	for i := range cm.Cells {
		c := &cm.Cells[i]
		ctl := cur.Controls[c.Control]
		seen[ctl.Ref] = true
		ch := CellChange{Control: ctl.Ref, Title: ctl.Control.Title, NewClass: c.Class(), NewAssumed: c.Assumed()}
		newOurs := diffObligations(cur, cur.Ours(&cm, c))
		newTheirs := diffObligations(cur, cur.Theirs(&cm, c))
		var oldOurs, oldTheirs []DiffObligation
		if o := before[ctl.Ref]; o != nil {
			ch.OldClass, ch.OldAssumed = o.Class(), o.Assumed()
			oldOurs = diffObligations(old, old.Ours(&om, o))
			oldTheirs = diffObligations(old, old.Theirs(&om, o))
		}
		ch.OursAdded, ch.OursRemoved = minus(newOurs, oldOurs), minus(oldOurs, newOurs)
		ch.TheirsAdded, ch.TheirsRemoved = minus(newTheirs, oldTheirs), minus(oldTheirs, newTheirs)
		if ch.OldClass != ch.NewClass || ch.OldAssumed != ch.NewAssumed || len(ch.OursAdded)+len(ch.OursRemoved)+len(ch.TheirsAdded)+len(ch.TheirsRemoved) > 0 {
			out = append(out, ch)
		}
	}
	for i := range om.Cells {
		o := &om.Cells[i]
		ctl := old.Controls[o.Control]
		if seen[ctl.Ref] {
			continue
		}
		out = append(out, CellChange{Control: ctl.Ref, Title: ctl.Control.Title, OldClass: o.Class(), OldAssumed: o.Assumed(),
			OursRemoved: diffObligations(old, old.Ours(&om, o)), TheirsRemoved: diffObligations(old, old.Theirs(&om, o))})
	}
	return out
}

func diffObligations(e *Estate, obs []Obligation) []DiffObligation {
	out := make([]DiffObligation, len(obs))
	for i, o := range obs {
		out[i] = DiffObligation{Text: o.Text, Assumed: o.Assumed}
		if o.Offering >= 0 {
			out[i].Offering = e.Offering(o.Offering).Ref
		}
	}
	return out
}

// minus returns the obligations of a that are not in b.
func minus(a, b []DiffObligation) []DiffObligation {
	var out []DiffObligation
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}
