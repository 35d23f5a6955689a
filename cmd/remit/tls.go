package main

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// certificate serves a TLS certificate from files and takes up a renewed
// one without a restart: on SIGHUP, and when the files change (checked at
// most every few seconds, as connections come). A renewal that does not
// load is logged and the certificate in use kept.
type certificate struct {
	certFile, keyFile string
	log               *slog.Logger
	mu                sync.Mutex
	current           *tls.Certificate
	certMod, keyMod   time.Time
	checked           time.Time
}

// certCheckEvery is how often the files are looked at for a change.
const certCheckEvery = 5 * time.Second

func newCertificate(certFile, keyFile string, log *slog.Logger) (*certificate, error) {
	c := &certificate{certFile: certFile, keyFile: keyFile, log: log}
	if err := c.reload(); err != nil {
		return nil, err
	}
	return c, nil
}

// reload loads the files now.
func (c *certificate) reload() error {
	cm, km := modTime(c.certFile), modTime(c.keyFile)
	pair, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		return fmt.Errorf("load the TLS certificate %s and key %s: %w", c.certFile, c.keyFile, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.current, c.certMod, c.keyMod, c.checked = &pair, cm, km, time.Now()
	return nil
}

// GetCertificate is tls.Config's hook.
func (c *certificate) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	stale := time.Since(c.checked) > certCheckEvery
	if stale {
		c.checked = time.Now()
	}
	changed := stale && (!modTime(c.certFile).Equal(c.certMod) || !modTime(c.keyFile).Equal(c.keyMod))
	cur := c.current
	c.mu.Unlock()
	if changed {
		if err := c.reload(); err != nil {
			c.log.Error("the TLS certificate changed but does not load: keeping the one in use", "err", err)
			return cur, nil
		}
		c.log.Info("TLS certificate reloaded", "file", c.certFile)
		c.mu.Lock()
		cur = c.current
		c.mu.Unlock()
	}
	return cur, nil
}

func modTime(path string) time.Time {
	fi, err := os.Stat(path)
	if err != nil {
		return time.Time{}
	}
	return fi.ModTime()
}
