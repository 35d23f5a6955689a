package remit

import (
	"fmt"
	"strings"
)

// The named identifiers: each is written one way, and read by one parser
// that says what is wrong with a bad one.

// OfferingRef names an offering: its provider's id and its own, written
// provider/offering (aws/ec2).
type OfferingRef struct {
	Provider string
	Offering string
}

// String writes the reference as provider/offering.
func (r OfferingRef) String() string { return r.Provider + "/" + r.Offering }

// ParseOfferingRef reads provider/offering. Neither part may be empty or
// hold a slash.
func ParseOfferingRef(s string) (OfferingRef, error) {
	p, o, ok := strings.Cut(s, "/")
	if !ok || p == "" || o == "" || strings.Contains(o, "/") {
		return OfferingRef{}, fmt.Errorf("offering %q is not provider/offering: write it as, for example, aws/ec2", s)
	}
	return OfferingRef{Provider: p, Offering: o}, nil
}

// ControlRef names a control: its catalogue's id and its own, written
// catalogue:control (srm:SRM-01).
type ControlRef struct {
	Catalogue string
	Control   string
}

// String writes the reference as catalogue:control.
func (r ControlRef) String() string { return r.Catalogue + ":" + r.Control }

// ParseControlRef reads catalogue:control. Neither part may be empty; the
// control's id may itself hold a colon.
func ParseControlRef(s string) (ControlRef, error) {
	c, ctl, ok := strings.Cut(s, ":")
	if !ok || c == "" || ctl == "" {
		return ControlRef{}, fmt.Errorf("control %q is not catalogue:control: write it as, for example, srm:SRM-01", s)
	}
	return ControlRef{Catalogue: c, Control: ctl}, nil
}

// ObligationID names one obligation of one party for one control of one
// system: system/catalogue:control/provider/offering/party, where the
// offering is * when the whole control is ours (no offering covers it)
// and the party is "ours" or "provider".
type ObligationID struct {
	System  string
	Control ControlRef
	// Offering is the zero OfferingRef when the whole control is ours.
	Offering OfferingRef
	Ours     bool
}

// Whole reports whether the obligation is a whole control that no
// offering covers.
func (id ObligationID) Whole() bool { return id.Offering == OfferingRef{} }

// String writes the id.
func (id ObligationID) String() string {
	off, party := "*", "provider"
	if !id.Whole() {
		off = id.Offering.String()
	}
	if id.Ours {
		party = "ours"
	}
	return id.System + "/" + id.Control.String() + "/" + off + "/" + party
}

// ParseObligationID reads an obligation id.
func ParseObligationID(s string) (ObligationID, error) {
	bad := func(why string) (ObligationID, error) {
		return ObligationID{}, fmt.Errorf("obligation id %q %s: write system/catalogue:control/provider/offering/party, such as prison-visits/srm:SRM-03/aws/ec2/ours", s, why)
	}
	parts := strings.Split(s, "/")
	var id ObligationID
	switch {
	case len(parts) == 5:
		id.Offering = OfferingRef{Provider: parts[2], Offering: parts[3]}
		if id.Offering.Provider == "" || id.Offering.Offering == "" || id.Offering.Provider == "*" {
			return bad("names no offering")
		}
	case len(parts) == 4 && parts[2] == "*":
	default:
		return bad("has the wrong number of parts")
	}
	id.System = parts[0]
	if id.System == "" {
		return bad("names no system")
	}
	ctl, err := ParseControlRef(parts[1])
	if err != nil {
		return bad("names no control")
	}
	id.Control = ctl
	switch parts[len(parts)-1] {
	case "ours":
		id.Ours = true
	case "provider":
		if id.Whole() {
			return bad("is a provider's obligation with no offering")
		}
	default:
		return bad(`ends with neither "ours" nor "provider"`)
	}
	return id, nil
}
