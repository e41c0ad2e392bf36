package testkit_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chatemu/chatemu/testkit"
)

func TestTLSClientTrustsTheEmulator(t *testing.T) {
	emu := testkit.Start(t, testkit.TLS())
	if !strings.HasPrefix(emu.URL, "https://") {
		t.Fatalf("URL %s is not https", emu.URL)
	}
	app := emu.Easemob()
	res, err := emu.HTTPClient().Post(app.BaseURL+"/"+app.Org+"/"+app.App+"/token", "application/json",
		strings.NewReader(`{"grant_type":"client_credentials","client_id":"`+app.ClientID+`","client_secret":"`+app.ClientSecret+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `"access_token":"YWMt`) {
		t.Fatalf("token over https: %d %s", res.StatusCode, body)
	}
	if !strings.HasPrefix(app.BaseURL, "https://") {
		t.Fatalf("base URL %s is not https", app.BaseURL)
	}
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	if _, err := (&http.Client{Transport: tr}).Get(emu.URL + "/_chatemu/health"); err == nil {
		t.Fatal("a client that does not trust the certificate got through")
	}
}
