package report

import (
	"strconv"
	"strings"

	"remit/internal/remit"
)

// SystemPlan is a system's responsibility matrix with what each party does
// and how far it is assured: what the Customer Responsibility Matrix and
// the OSCAL system security plan are written from.
type SystemPlan struct {
	System    remit.System
	Offerings []PlanOffering // the offerings it relies on, directly and through fourth parties
	Rows      []PlanRow
}

// PlanOffering is an offering a system relies on.
type PlanOffering struct {
	Ref          string // provider/offering
	Name         string
	Provider     string // the provider's id
	ProviderName string
	ServiceModel remit.ServiceModel
	Direct       bool // used by the system itself, not only through another offering
	// Through lists, for a fourth party, the offerings the system uses
	// that rest on it (the chain of reliance); RestsOn, for an offering
	// the system uses, the fourth parties it rests on.
	Through, RestsOn []PlanLink
}

// PlanLink is one link of the chain of reliance: an offering the system
// uses resting on a fourth party for some controls.
type PlanLink struct {
	Offering string             // the other end: provider/offering
	Controls int                // how many controls rest on the fourth party
	Coverage remit.CoverageSays // what the upper offering's evidence says of the fourth party
	Short    int                // obligations left unassured through the fourth party
}

// PlanRow is one control of the plan.
type PlanRow struct {
	Control   string // catalogue:control
	Title     string
	Area      remit.Area
	Class     remit.Class
	Reason    string // why a not-applicable control does not apply
	Provided  []PlanPart
	Ours      []PlanDuty
	Assurance remit.Assurance // the control's: its weakest obligation's
}

// PlanPart is what one offering does for a control.
type PlanPart struct {
	Obligation string // the provider obligation's id ("" when it has none)
	Offering   string
	Class      remit.Class
	Text       string // what the provider does
	Customer   string // what the offering asks of the customer
	Assumed    bool
	// Mapped lists the controls the offering answers for this one through
	// mappings, when it has no statement of its own for it.
	Mapped    []remit.MappedControl
	Source    *remit.Source // where the statement was published
	Assurance remit.Assurance
}

// PlanDuty is one obligation of ours.
type PlanDuty struct {
	Obligation string
	Offering   string // "" when the whole control is ours
	Text       string
	Assumed    bool
	// Mapped lists the controls the offering's part is mapped from, when
	// the obligation arises from a mapping.
	Mapped    []remit.MappedControl
	Tracking  remit.Tracking
	Assurance remit.Assurance
}

// CRM is the Customer Responsibility Matrix of a plan as a table: one row
// per control — its class, what the providers do, what we must do, who
// owns it, where it stands and how far it is assured.
func CRM(p *SystemPlan) ([]string, [][]string) {
	header := []string{"control", "title", "class", "what the provider does", "what we must do", "owner", "status", "due", "assurance", "assumed"}
	rows := make([][]string, 0, len(p.Rows))
	for _, r := range p.Rows {
		var theirs, ours, owners, statuses, dues []string
		assumed := false
		for _, pp := range r.Provided {
			if pp.Text != "" {
				theirs = append(theirs, pp.Offering+": "+pp.Text)
			}
			assumed = assumed || pp.Assumed
		}
		for _, d := range r.Ours {
			text := d.Text
			if d.Offering != "" && len(r.Ours) > 1 {
				text = d.Offering + ": " + text
			}
			ours = append(ours, text)
			owners = appendNew(owners, d.Tracking.Owner)
			statuses = appendNew(statuses, string(d.Tracking.Status))
			dues = appendNew(dues, d.Tracking.Due)
			assumed = assumed || d.Assumed
		}
		if r.Class == remit.NotApplicable {
			ours = []string{"Not applicable: " + r.Reason}
		}
		rows = append(rows, []string{r.Control, r.Title, string(r.Class), strings.Join(theirs, "\n"), strings.Join(ours, "\n"),
			strings.Join(owners, "; "), strings.Join(statuses, "; "), strings.Join(dues, "; "), string(r.Assurance.Status), strconv.FormatBool(assumed)})
	}
	return header, rows
}

func appendNew(xs []string, x string) []string {
	for _, y := range xs {
		if y == x {
			return xs
		}
	}
	if x == "" {
		return xs
	}
	return append(xs, x)
}
