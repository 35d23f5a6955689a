package oscal

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// FileSource finds what a profile's imports name on disk: with catalog
// set, every import is that file; otherwise a relative href is a file
// beside the profile, and "#uuid" the file a back-matter resource of the
// profile links to. An import that is itself a profile is resolved in
// turn (up to five deep). Remote addresses are refused: Remit does not
// fetch.
func FileSource(profilePath string, p *Profile, catalog string, now time.Time) Source {
	return fileSource(profilePath, p, catalog, now, 0)
}

func fileSource(profilePath string, p *Profile, catalog string, now time.Time, depth int) Source {
	dir := filepath.Dir(profilePath)
	return func(href string) (*Catalog, error) {
		file := catalog
		if file == "" {
			var err error
			if file, err = hrefFile(dir, p, href); err != nil {
				return nil, &Error{File: profilePath, Path: "import " + href, Message: err.Error()}
			}
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, &Error{File: profilePath, Path: "import " + href, Message: fmt.Sprintf("cannot read %s: %v", file, errors.Unwrap(err))}
		}
		kind, err := Sniff(file, data)
		if err != nil {
			return nil, err
		}
		switch kind {
		case KindCatalog:
			return ReadCatalog(file, data)
		case KindProfile:
			if depth >= 5 {
				return nil, &Error{File: file, Message: "profiles import each other more than five deep"}
			}
			inner, err := ReadProfile(file, data)
			if err != nil {
				return nil, err
			}
			return Resolve(inner, fileSource(file, inner, "", now, depth+1), now)
		}
		return nil, &Error{File: file, Message: fmt.Sprintf("an import names an OSCAL %s: it must be a catalog or a profile", kind)}
	}
}

func hrefFile(dir string, p *Profile, href string) (string, error) {
	if strings.HasPrefix(href, "#") {
		uuid := href[1:]
		if p.BackMatter != nil {
			for _, r := range p.BackMatter.Resources {
				if r.UUID != uuid {
					continue
				}
				var res struct {
					Rlinks []struct {
						Href      string `json:"href"`
						MediaType string `json:"media-type"`
					} `json:"rlinks"`
				}
				_ = json.Unmarshal(r.Raw, &res)
				for _, l := range res.Rlinks {
					if strings.HasSuffix(l.Href, ".json") && !remote(l.Href) {
						return filepath.Join(dir, filepath.FromSlash(l.Href)), nil
					}
				}
				return "", errors.New("a resource with no local JSON file: give the catalog with --catalog FILE")
			}
		}
		return "", errors.New("no resource in the profile's back matter has this uuid: give the catalog with --catalog FILE")
	}
	if remote(href) {
		return "", errors.New("a remote address, and Remit does not fetch: download it and give it with --catalog FILE")
	}
	return filepath.Join(dir, filepath.FromSlash(href)), nil
}

func remote(href string) bool {
	return strings.Contains(href, "://")
}
