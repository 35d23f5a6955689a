package storetest

import "testing/fstest"

// MapFS makes a file system of named files, as workspace.Files gives
// them.
func MapFS(files map[string][]byte) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: data}
	}
	return fsys
}
