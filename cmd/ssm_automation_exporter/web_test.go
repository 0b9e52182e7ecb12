package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

const (
	webUser     = "prometheus"
	webPassword = "correct horse battery staple"
)

// unreachableConfig has one target whose endpoint refuses connections, so
// the exporter serves its own series and up 0 without any AWS account.
const unreachableConfig = `
api:
  max_attempts: 1
  call_timeout: 2s
targets:
  - name: unreachable
    region: us-east-1
    endpoint: http://127.0.0.1:1
    executions:
      - id: 8a8e9f1c-2c4d-4e55-9a0b-0123456789ab
`

// selfSigned writes a certificate for 127.0.0.1 and its key into dir and
// returns their paths and the certificate.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "ssm_automation_exporter test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if cert, err = x509.ParseCertificate(der); err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeFile(t, certFile, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	writeFile(t, keyFile, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})))
	return certFile, keyFile, cert
}

// webConfig writes an exporter-toolkit web config with TLS and one basic
// auth user.
func webConfig(t *testing.T, dir, certFile, keyFile string) string {
	t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte(webPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "web.yml")
	writeFile(t, path, "tls_server_config:\n  cert_file: "+certFile+"\n  key_file: "+keyFile+
		"\nbasic_auth_users:\n  "+webUser+": "+string(hash)+"\n")
	return path
}

// fetch GETs url with client, with basic auth when user is not empty.
func fetch(t *testing.T, client *http.Client, url, user, password string) (*http.Response, string, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, string(b), err
}

// TestTLSAndBasicAuth runs the exporter with a web config file and
// checks that only HTTPS with the right credentials gets the metrics.
func TestTLSAndBasicAuth(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, cert := selfSigned(t, dir)
	web := webConfig(t, dir, certFile, keyFile)
	cfg := filepath.Join(dir, "config.yml")
	writeFile(t, cfg, unreachableConfig)
	p := startExporter(t, "--config.file="+cfg, "--web.config.file="+web,
		"--web.listen-address=127.0.0.1:0", "--log.level=debug")
	addr := p.serving(t)

	roots := x509.NewCertPool()
	roots.AddCert(cert)
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	metricsURL := "https://" + addr + "/metrics"

	resp, body, err := fetch(t, client, metricsURL, webUser, webPassword)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `ssm_automation_up{target="unreachable"} 0`) ||
		!strings.Contains(body, "ssm_automation_exporter_build_info") {
		t.Fatalf("HTTPS with the right password = %d:\n%s", resp.StatusCode, body)
	}
	if resp.TLS == nil || len(resp.TLS.PeerCertificates) == 0 || !bytes.Equal(resp.TLS.PeerCertificates[0].Raw, cert.Raw) {
		t.Fatal("the exporter did not serve the configured certificate")
	}

	denied := []struct{ name, url, user, password string }{
		{"wrong password", metricsURL, webUser, "wrong"},
		{"unknown user", metricsURL, "admin", webPassword},
		{"no credentials", metricsURL, "", ""},
		{"probe without credentials", "https://" + addr + "/probe?target=unreachable", "", ""},
	}
	for _, c := range denied {
		resp, body, err := fetch(t, client, c.url, c.user, c.password)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if resp.StatusCode != http.StatusUnauthorized || strings.Contains(body, "ssm_automation_") {
			t.Errorf("%s = %d, want 401 without metrics:\n%s", c.name, resp.StatusCode, body)
		}
	}

	// Plain HTTP to the TLS port: a 400 or a failed connection, never metrics.
	plain := &http.Client{Timeout: time.Minute}
	if resp, body, err := fetch(t, plain, "http://"+addr+"/metrics", webUser, webPassword); err == nil &&
		(resp.StatusCode == http.StatusOK || strings.Contains(body, "ssm_automation_")) {
		t.Errorf("plain HTTP to the TLS port = %d:\n%s", resp.StatusCode, body)
	}
	// A client that does not trust the certificate fails the handshake.
	if _, _, err := fetch(t, &http.Client{Timeout: time.Minute}, metricsURL, webUser, webPassword); err == nil {
		t.Error("a client without the test certificate completed the TLS handshake")
	}

	if err := p.stop(t); err != nil {
		t.Errorf("exit after SIGTERM: %v\n%s", err, p.logs)
	}
	if logs := p.logs.String(); strings.Contains(logs, webPassword) {
		t.Errorf("the log holds the basic auth password:\n%s", logs)
	}
}
