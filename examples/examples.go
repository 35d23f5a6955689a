// Package examples embeds the example estates, so that remit serve --demo
// works from the binary alone.
package examples

import (
	"embed"
	"io/fs"
)

//go:embed justice
var files embed.FS

// Justice is the example estate of a fictional UK government department.
func Justice() fs.FS {
	sub, err := fs.Sub(files, "justice")
	if err != nil {
		panic("examples: " + err.Error()) // the folder is embedded above
	}
	return sub
}
