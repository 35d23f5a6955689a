package remit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DocumentOf returns the stored form of one object of a workspace, and
// false when the workspace has no such object.
func DocumentOf(ws *Workspace, kind Kind, id string) ([]byte, bool) {
	switch kind {
	case KindWorkspace:
		return mustJSON(workspaceHeader{ws.Name, ws.Organisation, ws.CatalogueIDs, ws.ProviderIDs}), id == workspaceID
	case KindCatalogue:
		for _, c := range ws.Catalogues {
			if c.ID == id {
				return mustJSON(c), true
			}
		}
	case KindProvider:
		for _, p := range ws.Providers {
			if p.ID == id {
				h := providerHeader{ID: p.ID, Name: p.Name, BuiltIn: p.BuiltIn, Offerings: []string{}}
				for _, o := range p.Offerings {
					h.Offerings = append(h.Offerings, o.ID)
				}
				return mustJSON(h), true
			}
		}
	case KindOffering:
		ref, _ := ParseOfferingRef(id)
		for _, p := range ws.Providers {
			for _, o := range p.Offerings {
				if p.ID == ref.Provider && o.ID == ref.Offering {
					return mustJSON(o), true
				}
			}
		}
	case KindSystem:
		for _, s := range ws.Systems {
			if s.ID == id {
				return mustJSON(s), true
			}
		}
	}
	return nil, false
}

// Clone returns a deep copy of ws, to edit without touching the original.
func Clone(ws *Workspace) *Workspace {
	var cp Workspace
	if err := json.Unmarshal(mustJSON(ws), &cp); err != nil {
		panic("remit: clone: " + err.Error()) // a workspace always round-trips through JSON
	}
	return &cp
}

// Apply stores the change from before to after — two whole workspaces,
// after already edited — in one transaction. It validates after first,
// naming each problem's owner. It writes only the documents that differ,
// each with an audit record (and a model version for changed
// statements), and only if every one of them is still stored as before
// has it (else ErrConflict: someone changed it meanwhile) and the primary
// document (kind, id) is at version (0: it must not exist yet). It
// returns the primary document's new version (0 when deleted).
func Apply(ctx context.Context, s Store, before, after *Workspace, kind Kind, id string, version int64, actor string, now time.Time) (int64, error) {
	if ps := Validate(after); len(ps) > 0 {
		return 0, &ValidationError{Problems: Owners(after, ps)}
	}
	old, cur := Documents(before), Documents(after)
	var newVersion int64
	err := s.Write(ctx, func(tx Tx) error {
		// The version quoted is checked whether or not anything changes.
		primary, err := tx.FindDocument(ctx, kind, id)
		exists := err == nil
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if (version == 0 && exists) || (version != 0 && (!exists || primary.Version != version)) {
			return fmt.Errorf("%s %q is at version %d, not %d: someone changed it first: %w", kind, id, primary.Version, version, ErrConflict)
		}
		newVersion = primary.Version
		for _, k := range WorkspaceKinds {
			ids := make(map[string]bool, len(cur[k]))
			for i := range old[k] {
				ids[i] = true
			}
			for i := range cur[k] {
				ids[i] = true
			}
			for _, i := range sortedKeys(ids) {
				was, is := old[k][i], cur[k][i]
				if bytes.Equal(was, is) {
					continue
				}
				stored, err := tx.FindDocument(ctx, k, i)
				exists := err == nil
				if err != nil && !errors.Is(err, ErrNotFound) {
					return err
				}
				if exists != (was != nil) || (exists && !bytes.Equal(stored.Body, was)) {
					return fmt.Errorf("%s %q was changed by someone else a moment ago: %w", k, i, ErrConflict)
				}
				switch {
				case was == nil:
					d, err := tx.CreateDocument(ctx, k, i, is, now)
					if err != nil {
						return err
					}
					if k == kind && i == id {
						newVersion = d.Version
					}
				case is == nil:
					if err := tx.DeleteDocument(ctx, k, i, stored.Version); err != nil {
						return err
					}
					if k == kind && i == id {
						newVersion = 0
					}
				default:
					d, err := tx.UpdateDocument(ctx, k, i, is, stored.Version, now)
					if err != nil {
						return err
					}
					if k == kind && i == id {
						newVersion = d.Version
					}
				}
				if err := RecordChange(ctx, tx, actor, k, i, was, is, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return newVersion, nil
}

// Owners rewrites problems addressed into a workspace so each names the
// object it is in ("system prison-visits: …") and points into that
// object alone, as an API client that changed one object expects.
func Owners(ws *Workspace, ps []Problem) []Problem {
	out := make([]Problem, len(ps))
	for i, p := range ps {
		segs := strings.SplitN(strings.TrimPrefix(p.Pointer, "/"), "/", 3)
		owner := ""
		if len(segs) >= 2 {
			n, err := strconv.Atoi(segs[1])
			switch {
			case err != nil:
			case segs[0] == "catalogues" && n < len(ws.Catalogues):
				owner = "catalogue " + ws.Catalogues[n].ID
			case segs[0] == "providers" && n < len(ws.Providers):
				owner = "provider " + ws.Providers[n].ID
				// A problem inside an offering belongs to the offering.
				if sub := strings.SplitN(strings.Join(segs[2:], "/"), "/", 3); len(sub) >= 2 && sub[0] == "offerings" {
					if m, err := strconv.Atoi(sub[1]); err == nil && m < len(ws.Providers[n].Offerings) {
						owner = "offering " + OfferingRef{Provider: ws.Providers[n].ID, Offering: ws.Providers[n].Offerings[m].ID}.String()
						segs = []string{"", "", strings.Join(sub[2:], "/")}
					}
				}
			case segs[0] == "systems" && n < len(ws.Systems):
				owner = "system " + ws.Systems[n].ID
			}
		}
		if owner != "" {
			rest := ""
			if len(segs) == 3 && segs[2] != "" {
				rest = "/" + segs[2]
			}
			p.Message = owner + ": " + p.Message
			p.Pointer = rest
		}
		out[i] = p
	}
	return out
}
