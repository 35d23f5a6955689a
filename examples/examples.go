// Package examples embeds the example estates, so that remit serve --demo
// works from the binary alone.
package examples

import (
	"embed"
	"io/fs"
)

//go:embed justice
var files embed.FS

//go:embed measured/casetrack-poam.yaml
var casetrackPOAM []byte

// CaseTrackPOAM is CaseTrack's own POA&M for CaseTrack Cloud (fictional),
// which the demo imports to measure the supplier by.
func CaseTrackPOAM() []byte { return casetrackPOAM }

// Justice is the example estate of a fictional UK government department.
func Justice() fs.FS {
	sub, err := fs.Sub(files, "justice")
	if err != nil {
		panic("examples: " + err.Error()) // the folder is embedded above
	}
	return sub
}
