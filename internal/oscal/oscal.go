// Package oscal reads and writes the OSCAL documents Remit exchanges —
// catalogs, profiles, system security plans, component definitions,
// assessment results and plans of action — as Go types of our own (no Go
// OSCAL library is available), and resolves profiles into catalogs.
//
// The types follow the OSCAL 1.0 JSON model: field names are the JSON
// names, optional fields are omitted when empty, and what Remit does not
// use is kept as raw JSON where a round trip needs it.
package oscal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

// Version is the OSCAL version the documents Remit writes declare by
// default: 1.1.3, what FedRAMP takes today. Every document Remit writes
// validates against the 1.0.6, 1.1.3 and 1.2.2 complete schemas, so it may
// declare any of Versions (SetVersion).
const Version = "1.1.3"

// Versions are the OSCAL versions Remit can write, oldest first.
var Versions = []string{"1.0.6", "1.1.3", "1.2.2"}

// SetVersion makes a document Marshal wrote declare another OSCAL version
// ("" keeps the default). The mapping model exists from 1.2 only.
func SetVersion(doc []byte, version string) ([]byte, error) {
	if version == "" || version == Version {
		return doc, nil
	}
	if !slices.Contains(Versions, version) {
		return nil, fmt.Errorf("OSCAL version %q is not one Remit writes: use %s", version, strings.Join(Versions, ", "))
	}
	from := []byte(`"oscal-version": "` + Version + `"`)
	i := bytes.Index(doc, from)
	if i < 0 {
		return nil, fmt.Errorf("this document is OSCAL %s only", MappingVersion)
	}
	out := make([]byte, 0, len(doc))
	out = append(out, doc[:i]...)
	out = append(out, `"oscal-version": "`+version+`"`...)
	return append(out, doc[i+len(from):]...), nil
}

// Metadata is a document's metadata.
type Metadata struct {
	Title              string             `json:"title"`
	Published          string             `json:"published,omitempty"`
	LastModified       string             `json:"last-modified"`
	Version            string             `json:"version"`
	OSCALVersion       string             `json:"oscal-version"`
	Props              []Prop             `json:"props,omitempty"`
	Links              []Link             `json:"links,omitempty"`
	Roles              []Role             `json:"roles,omitempty"`
	Parties            []json.RawMessage  `json:"parties,omitempty"` // kept as they came
	ResponsibleParties []ResponsibleParty `json:"responsible-parties,omitempty"`
	Remarks            string             `json:"remarks,omitempty"`
}

// Role is a role named in metadata.
type Role struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// ResponsibleParty links a role to parties.
type ResponsibleParty struct {
	RoleID     string   `json:"role-id"`
	PartyUUIDs []string `json:"party-uuids"`
}

// Prop is a name/value property.
type Prop struct {
	Name    string `json:"name"`
	UUID    string `json:"uuid,omitempty"`
	NS      string `json:"ns,omitempty"`
	Value   string `json:"value"`
	Class   string `json:"class,omitempty"`
	Remarks string `json:"remarks,omitempty"`
}

// Link is a reference.
type Link struct {
	Href      string `json:"href"`
	Rel       string `json:"rel,omitempty"`
	MediaType string `json:"media-type,omitempty"`
	Text      string `json:"text,omitempty"`
}

// Part is a piece of a control's text: its statement, guidance, items,
// objectives.
type Part struct {
	ID    string `json:"id,omitempty"`
	Name  string `json:"name"`
	NS    string `json:"ns,omitempty"`
	Class string `json:"class,omitempty"`
	Title string `json:"title,omitempty"`
	Props []Prop `json:"props,omitempty"`
	Prose string `json:"prose,omitempty"`
	Parts []Part `json:"parts,omitempty"`
	Links []Link `json:"links,omitempty"`
}

// Param is a control parameter: both the rev5 "ac-02_odp.01" and the
// older "ac-2_prm_1" identifiers are plain ids here.
type Param struct {
	ID string `json:"id"`
	ParamFields
	Remarks string `json:"remarks,omitempty"`
}

// ParamFields are what a parameter says, and what a profile's
// set-parameters may change.
type ParamFields struct {
	Class       string       `json:"class,omitempty"`
	DependsOn   string       `json:"depends-on,omitempty"`
	Props       []Prop       `json:"props,omitempty"`
	Links       []Link       `json:"links,omitempty"`
	Label       string       `json:"label,omitempty"`
	Usage       string       `json:"usage,omitempty"`
	Constraints []Constraint `json:"constraints,omitempty"`
	Guidelines  []Guideline  `json:"guidelines,omitempty"`
	Values      []string     `json:"values,omitempty"`
	Select      *Selection   `json:"select,omitempty"`
}

// Constraint limits a parameter's value.
type Constraint struct {
	Description string `json:"description,omitempty"`
	Tests       []struct {
		Expression string `json:"expression"`
		Remarks    string `json:"remarks,omitempty"`
	} `json:"tests,omitempty"`
}

// Guideline advises on a parameter's value.
type Guideline struct {
	Prose string `json:"prose"`
}

// Selection offers a parameter's choices.
type Selection struct {
	HowMany string   `json:"how-many,omitempty"`
	Choice  []string `json:"choice,omitempty"`
}

// Control is a catalog control, with its enhancements as child controls.
type Control struct {
	ID       string    `json:"id"`
	Class    string    `json:"class,omitempty"`
	Title    string    `json:"title"`
	Params   []Param   `json:"params,omitempty"`
	Props    []Prop    `json:"props,omitempty"`
	Links    []Link    `json:"links,omitempty"`
	Parts    []Part    `json:"parts,omitempty"`
	Controls []Control `json:"controls,omitempty"`
}

// Withdrawn reports whether the control is marked withdrawn.
func (c *Control) Withdrawn() bool {
	for _, p := range c.Props {
		if p.Name == "status" && (p.Value == "withdrawn" || p.Value == "Withdrawn") {
			return true
		}
	}
	return false
}

// Group is a family of controls, possibly nested.
type Group struct {
	ID       string    `json:"id,omitempty"`
	Class    string    `json:"class,omitempty"`
	Title    string    `json:"title"`
	Params   []Param   `json:"params,omitempty"`
	Props    []Prop    `json:"props,omitempty"`
	Links    []Link    `json:"links,omitempty"`
	Parts    []Part    `json:"parts,omitempty"`
	Groups   []Group   `json:"groups,omitempty"`
	Controls []Control `json:"controls,omitempty"`
}

// BackMatter holds a document's resources.
type BackMatter struct {
	Resources []Resource `json:"resources,omitempty"`
}

// Resource is a back-matter resource; what Remit does not read is kept.
type Resource struct {
	UUID string
	Raw  json.RawMessage
}

// MarshalJSON writes the resource as it came.
func (r Resource) MarshalJSON() ([]byte, error) { return r.Raw, nil }

// UnmarshalJSON keeps the resource whole, reading its uuid.
func (r *Resource) UnmarshalJSON(b []byte) error {
	var head struct {
		UUID string `json:"uuid"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return err
	}
	r.UUID, r.Raw = head.UUID, append(json.RawMessage(nil), b...)
	return nil
}

// Catalog is an OSCAL catalog.
type Catalog struct {
	UUID       string      `json:"uuid"`
	Metadata   Metadata    `json:"metadata"`
	Params     []Param     `json:"params,omitempty"`
	Controls   []Control   `json:"controls,omitempty"`
	Groups     []Group     `json:"groups,omitempty"`
	BackMatter *BackMatter `json:"back-matter,omitempty"`
}

// Walk calls fn for every control, depth first in document order, with
// the titles of the groups it is in and its parent control (nil at the
// top), until fn returns false.
func (c *Catalog) Walk(fn func(ctl *Control, groups []string, parent *Control) bool) {
	var controls func(cs []Control, groups []string, parent *Control) bool
	controls = func(cs []Control, groups []string, parent *Control) bool {
		for i := range cs {
			if !fn(&cs[i], groups, parent) || !controls(cs[i].Controls, groups, &cs[i]) {
				return false
			}
		}
		return true
	}
	var groupsFn func(gs []Group, path []string) bool
	groupsFn = func(gs []Group, path []string) bool {
		for i := range gs {
			p := append(path[:len(path):len(path)], gs[i].Title)
			if !controls(gs[i].Controls, p, nil) || !groupsFn(gs[i].Groups, p) {
				return false
			}
		}
		return true
	}
	if controls(c.Controls, nil, nil) {
		groupsFn(c.Groups, nil)
	}
}

// Kind is the model a document holds: its single top-level key.
type Kind string

// The kinds of document Remit reads.
const (
	KindCatalog             Kind = "catalog"
	KindProfile             Kind = "profile"
	KindSSP                 Kind = "system-security-plan"
	KindComponentDefinition Kind = "component-definition"
	KindAssessmentResults   Kind = "assessment-results"
	KindPOAM                Kind = "plan-of-action-and-milestones"
	KindMapping             Kind = "mapping-collection"
	// KindAssessmentPlan is recognised, to be named, but not read.
	KindAssessmentPlan Kind = "assessment-plan"
)

// Error is a problem reading a document: where (a JSON path and, when
// known, a line and column) and what would be right.
type Error struct {
	File    string
	Line    int
	Column  int
	Path    string
	Message string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	if e.Path != "" {
		b.WriteString(": " + e.Path)
	}
	b.WriteString(": " + e.Message)
	return b.String()
}

// bom is the UTF-8 byte-order mark some tools (Excel, PowerShell) begin
// JSON files with. JSON forbids it, but a reader should not: it is dropped
// before decoding.
var bom = []byte("\xef\xbb\xbf")

// models are the OSCAL models, in the order Sniff looks for them.
var models = []Kind{KindCatalog, KindProfile, KindSSP, KindComponentDefinition, KindAssessmentPlan, KindAssessmentResults, KindPOAM, KindMapping}

// Sniff reads which model a document holds.
func Sniff(file string, data []byte) (Kind, error) {
	data = bytes.TrimPrefix(data, bom)
	var err error
	switch {
	case isXML(data):
		if data, err = fromXML(file, data); err != nil {
			return "", err
		}
	case isYAML(data):
		if data, err = fromYAML(file, data); err != nil {
			return "", err
		}
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return "", jsonError(file, data, "", err)
	}
	for _, k := range models {
		if _, ok := top[string(k)]; ok {
			return k, nil
		}
	}
	keys := make([]string, 0, len(top))
	for k := range top {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	names := make([]string, len(models))
	for i, k := range models {
		names[i] = string(k)
	}
	return "", &Error{File: file, Message: fmt.Sprintf("not an OSCAL document: its top level has %s, not one of the OSCAL models (%s)", quoteAll(keys), strings.Join(names, ", "))}
}

func quoteAll(ss []string) string {
	if len(ss) == 0 {
		return "nothing"
	}
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// at sets e's line and column to the nth place data has "key": value
// (however spaced), when there is one; e otherwise.
func at(e *Error, data []byte, key, value string, nth int) *Error {
	v, _ := json.Marshal(value)
	re := regexp.MustCompile(`"` + regexp.QuoteMeta(key) + `"\s*:\s*` + regexp.QuoteMeta(string(v)))
	if locs := re.FindAllIndex(data, nth); len(locs) == nth {
		e.Line, e.Column = lineCol(data, locs[nth-1][0])
	}
	return e
}

// MaxObjects is how many JSON objects an OSCAL document may hold. NIST's
// whole SP 800-53 rev5 catalog (about 1,200 controls and enhancements,
// every part and parameter an object) holds about 70,000; decoding costs
// memory per object, so this bounds what any document can cost.
const MaxObjects = 150_000

// CheckSize refuses a document of more than MaxObjects objects, counting
// them without decoding anything.
func CheckSize(file string, data []byte) error {
	objects, inString, escaped := 0, false, false
	for _, b := range data {
		switch {
		case escaped:
			escaped = false
		case inString:
			switch b {
			case '\\':
				escaped = true
			case '"':
				inString = false
			}
		case b == '"':
			inString = true
		case b == '{':
			objects++
			if objects > MaxObjects {
				return &Error{File: file, Message: fmt.Sprintf("the document holds more than %d JSON objects, over the limit: split it (a whole NIST SP 800-53 catalog holds about 70,000)", MaxObjects)}
			}
		}
	}
	return nil
}

// decode reads the one model under key into v, naming the file and,
// for a syntax or type error, the line and column.
func decode(file string, data []byte, key Kind, v any) error {
	data = bytes.TrimPrefix(data, bom)
	if xmlDoc := isXML(data); xmlDoc || isYAML(data) {
		// Read as the JSON it stands for; a problem then names the field's
		// path, as positions in that JSON would mean nothing in the YAML
		// or XML.
		from := fromYAML
		if xmlDoc {
			from = fromXML
		}
		js, err := from(file, data)
		if err != nil {
			return err
		}
		err = decodeJSON(file, js, key, v)
		var oe *Error
		if errors.As(err, &oe) {
			oe.Line, oe.Column = 0, 0
		}
		return err
	}
	return decodeJSON(file, data, key, v)
}

// decodeJSON is decode for a JSON document.
func decodeJSON(file string, data []byte, key Kind, v any) error {
	if err := CheckSize(file, data); err != nil {
		return err
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return jsonError(file, data, "", err)
	}
	body, ok := top[string(key)]
	if !ok {
		kind, err := Sniff(file, data)
		if err != nil {
			return err
		}
		return &Error{File: file, Message: fmt.Sprintf("this is an OSCAL %s, not a %s", kind, key)}
	}
	offset := bytes.Index(data, body)
	if err := json.Unmarshal(body, v); err != nil {
		e := jsonError(file, body, string(key), err)
		var oe *Error
		if errors.As(e, &oe) && oe.Line > 0 && offset >= 0 {
			// The position was in the body: move it to the file's.
			bl, bc := oe.Line, oe.Column
			sl, sc := lineCol(data, offset)
			oe.Line = sl + bl - 1
			if bl == 1 {
				oe.Column = sc + bc - 1
			}
		}
		return e
	}
	return nil
}

// jsonError turns a decoding error into an Error with the position of
// the offending character in data, and the path of the field (under key).
func jsonError(file string, data []byte, key string, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		l, c := lineCol(data, int(se.Offset)-1)
		return &Error{File: file, Line: l, Column: c, Message: "not valid JSON: " + se.Error()}
	case errors.As(err, &te):
		l, c := lineCol(data, int(te.Offset)-1)
		field := te.Field
		if key != "" {
			field = strings.TrimSuffix(key+"."+field, ".")
		}
		return &Error{File: file, Line: l, Column: c, Path: field, Message: fmt.Sprintf("%s is a JSON %s where OSCAL has %s", or(field, "the value"), te.Value, typeName(te.Type.String()))}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{File: file, Message: "the JSON ends before the document does"}
	}
	return &Error{File: file, Message: err.Error()}
}

func typeName(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case t == "string":
		return "a string"
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "float"):
		return "a number"
	case t == "bool":
		return "true or false"
	}
	return "an object"
}

// or is a, unless it is blank.
func or(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}

// lineCol finds the 1-based line and column of a byte offset.
func lineCol(data []byte, offset int) (int, int) {
	offset = min(max(offset, 0), len(data))
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := offset - bytes.LastIndexByte(before, '\n')
	return line, col
}

// ReadCatalog reads an OSCAL JSON catalog.
func ReadCatalog(file string, data []byte) (*Catalog, error) {
	var c Catalog
	if err := decode(file, data, KindCatalog, &c); err != nil {
		return nil, err
	}
	if err := c.check(file, bytes.TrimPrefix(data, bom)); err != nil {
		return nil, err
	}
	return &c, nil
}

// check reports the first structural problem: controls without ids or
// titles, and ids given twice, at the line of the control's title or id
// in data when it can be found.
func (c *Catalog) check(file string, data []byte) error {
	seen := map[string]bool{}
	var err error
	c.Walk(func(ctl *Control, groups []string, parent *Control) bool {
		where := "catalog"
		if parent != nil {
			where = "control " + parent.ID
		} else if len(groups) > 0 {
			where = "group " + fmt.Sprintf("%q", groups[len(groups)-1])
		}
		switch {
		case ctl.ID == "":
			err = at(&Error{File: file, Path: where, Message: fmt.Sprintf("a control (titled %q) has no id: every control needs one", ctl.Title)}, data, "title", ctl.Title, 1)
		case seen[ctl.ID]:
			err = at(&Error{File: file, Path: "control " + ctl.ID, Message: "this id is used by two controls: ids must be unique in a catalog"}, data, "id", ctl.ID, 2)
		}
		seen[ctl.ID] = true
		return err == nil
	})
	return err
}

// Marshal writes a document under its model's key, indented, as every
// OSCAL document Remit writes.
func Marshal(kind Kind, v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(map[string]any{string(kind): v}); err != nil {
		return nil, err
	}
	return unescapeSlashes(buf.Bytes()), nil
}

// unescapeSlashes rewrites the \/ escapes that parts copied verbatim
// from a source document may carry (valid JSON, but tools choke on them)
// as plain slashes, leaving every other escape alone.
func unescapeSlashes(b []byte) []byte {
	if !bytes.Contains(b, []byte(`\/`)) {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' && i+1 < len(b) {
			if b[i+1] != '/' {
				out = append(out, b[i]) // an escape: keep it and what it escapes
			}
			i++
			out = append(out, b[i])
			continue
		}
		out = append(out, b[i])
	}
	return out
}
