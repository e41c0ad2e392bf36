package tlscert

import (
	"crypto/tls"
	"io"
	"net/http"
	"testing"
	"time"
)

func TestSelfSignedServesHTTPSToAClientThatTrustsIt(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	cert, pool, err := SelfSigned(now, LocalHosts()...)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })}
	go srv.Serve(ln)
	defer srv.Close()

	url := "https://" + ln.Addr().String() + "/"
	trusting := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := trusting.Get(url)
	if err != nil {
		t.Fatalf("trusting client: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "ok" {
		t.Fatalf("body %q", b)
	}
	if _, err := (&http.Client{Transport: &http.Transport{}}).Get(url); err == nil {
		t.Fatal("a client without the pool accepted the self-signed certificate")
	}
	if !cert.Leaf.NotAfter.After(now) || len(cert.Leaf.IPAddresses) != 2 {
		t.Fatal("certificate not valid now")
	}
}
