package main

import (
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chatemu/chatemu/emulator/control"
)

func TestServeTLSSelfSigned(t *testing.T) {
	addr, _ := startServe(t, nil, "--tls")
	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
	defer tr.CloseIdleConnections()
	res, err := (&http.Client{Transport: tr}).Get("https://" + addr + "/_chatemu/tenants")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `"base_url":"https://`+addr+`"`) {
		t.Fatalf("tenants over https: %d %s", res.StatusCode, body)
	}
	if code, out, errOut := runCmd(t, nil, "health", "--tls", "--addr", addr); code != 0 || out != "ok\n" {
		t.Fatalf("health --tls: %d %q %q", code, out, errOut)
	}
	if code, _, _ := runCmd(t, nil, "health", "--addr", addr); code == 0 {
		t.Fatal("plain-http health passed against an https server")
	}
}

// TestServeTLSOffersHTTP2: the TLS port negotiates h2 by ALPN for a client
// that offers it, and still serves HTTP/1.1 to one that does not.
func TestServeTLSOffersHTTP2(t *testing.T) {
	addr, _ := startServe(t, nil, "--tls")
	for _, tc := range []struct {
		h2    bool
		proto string
	}{{true, "HTTP/2.0"}, {false, "HTTP/1.1"}} {
		tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, ForceAttemptHTTP2: tc.h2}
		res, err := (&http.Client{Transport: tr}).Get("https://" + addr + "/_chatemu/health")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		tr.CloseIdleConnections()
		if res.StatusCode != 200 || res.Proto != tc.proto {
			t.Errorf("h2 offered %v: %d over %s, want 200 over %s", tc.h2, res.StatusCode, res.Proto, tc.proto)
		}
	}
}

// TestServeTLSPlainHTTPLoggedOnce: 20 plain-HTTP requests to the TLS port
// each get net/http's 400, and the log has one WARN line for them, not 20
// (the rest are counted for the next line, a minute later). The count is
// read after the server has stopped, when every connection's log call has
// returned.
func TestServeTLSPlainHTTPLoggedOnce(t *testing.T) {
	addr, stderr, stop := startStoppable(t, nil, "--tls")
	for range 20 {
		res, err := http.Get("http://" + addr + "/_chatemu/health")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 400 || !strings.Contains(string(body), "HTTP request to an HTTPS server") {
			t.Fatalf("plain HTTP to the TLS port: %d %s", res.StatusCode, body)
		}
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d: %s", code, stderr)
	}
	if n := strings.Count(stderr.String(), "TLS handshake error"); n != 1 {
		t.Errorf("%d handshake lines, want 1:\n%s", n, stderr)
	}
}

func TestExposedWithoutTokenWarns(t *testing.T) {
	for _, tc := range []struct {
		name  string
		args  []string
		warns bool
	}{
		{"loopback", nil, false},
		{"all interfaces", []string{"--addr", "0.0.0.0:0"}, true},
		{"all interfaces with token", []string{"--addr", "0.0.0.0:0", "--control-token", "t0k"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr, stderr := startServe(t, nil, tc.args...)
			_, port, _ := net.SplitHostPort(addr)
			_, body := fetch(t, "http://127.0.0.1:"+port+"/_chatemu/health")
			var h control.Health
			if err := json.Unmarshal([]byte(body), &h); err != nil {
				t.Fatal(err)
			}
			if got := h.Warning == control.WarningOpen; got != tc.warns {
				t.Errorf("health %s: warning %v, want %v", body, got, tc.warns)
			}
			if got := strings.Contains(stderr.String(), "control API is open to other hosts"); got != tc.warns {
				t.Errorf("log warning %v, want %v:\n%s", got, tc.warns, stderr)
			}
		})
	}
}

func postJSON(t *testing.T, c *http.Client, url, body string) string {
	t.Helper()
	res, err := c.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

// TestLogsHoldNoCredentials drives every vendor with right and wrong
// credentials, then searches the server's log (as a user would run it,
// with the access log on) for every credential, signing key, issued token
// and signature.
func TestLogsHoldNoCredentials(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			addr, stderr := startServe(t, nil, "--log-format", format, "--access-log")
			base := "http://" + addr
			tr := &http.Transport{}
			defer tr.CloseIdleConnections()
			c := &http.Client{Transport: tr}
			_, body := fetch(t, base+"/_chatemu/tenants")
			var ten struct {
				Easemob []struct {
					Org, App     string
					ClientID     string `json:"client_id"`
					ClientSecret string `json:"client_secret"`
					OSS          struct {
						AccessKeySecret string `json:"access_key_secret"`
					}
				}
				Yunxin []struct {
					AppKey    string `json:"appkey"`
					AppSecret string `json:"app_secret"`
				}
				Op []struct {
					Client, Token, Secret string
					Qiniu                 struct {
						SecretKey string `json:"secret_key"`
					}
				}
			}
			if err := json.Unmarshal([]byte(body), &ten); err != nil {
				t.Fatal(err)
			}
			e, y, o := ten.Easemob[0], ten.Yunxin[0], ten.Op[0]
			secrets := []string{e.ClientSecret, e.OSS.AccessKeySecret, y.AppSecret, o.Token, o.Secret, o.Qiniu.SecretKey}

			tok := postJSON(t, c, base+"/"+e.Org+"/"+e.App+"/token",
				`{"grant_type":"client_credentials","client_id":"`+e.ClientID+`","client_secret":"`+e.ClientSecret+`"}`)
			postJSON(t, c, base+"/"+e.Org+"/"+e.App+"/token",
				`{"grant_type":"client_credentials","client_id":"`+e.ClientID+`","client_secret":"`+e.ClientSecret+`x"}`)
			access := regexp.MustCompile(`"access_token":"([^"]+)"`).FindStringSubmatch(tok)[1]
			secrets = append(secrets, access)
			req, _ := http.NewRequest("GET", base+"/"+e.Org+"/"+e.App+"/chatmessages/2026112016", nil)
			req.Header.Set("Authorization", "Bearer "+access)
			res, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			link := regexp.MustCompile(`"url":"([^"]+)"`).FindStringSubmatch(string(b))[1]
			sig := regexp.MustCompile(`Signature=([^&"]+)`).FindStringSubmatch(link)[1]
			secrets = append(secrets, sig)
			fetch(t, link)
			fetch(t, strings.Replace(link, "Signature=", "Signature=AA", 1)) // tampered: the reason names the right one

			for _, cs := range []string{"0000000000000000000000000000000000000000", ""} {
				req, _ = http.NewRequest("GET", base+"/im/v2/chatrooms/10001/messages?sender_id=amy&limit=5", nil)
				req.Header.Set("AppKey", y.AppKey)
				req.Header.Set("Nonce", "n")
				req.Header.Set("CurTime", "1")
				req.Header.Set("CheckSum", cs)
				if res, err := c.Do(req); err == nil {
					res.Body.Close()
				}
			}
			for _, token := range []string{o.Token, "wrong"} {
				postJSON(t, c, base+"/op/v2/userMessageList?apiVersion=01&client="+o.Client+"&token="+token+"&sign=x",
					`{"userId":"alice","pageNum":1,"pageSize":5}`)
			}
			log := stderr.String()
			if n := strings.Count(log, "msg=request ") + strings.Count(log, `"msg":"request"`); n < 10 {
				t.Errorf("%d access log lines:\n%s", n, log)
			}
			for _, s := range secrets {
				if s != "" && strings.Contains(log, s) {
					t.Errorf("the log holds a credential %q:\n%s", s, log)
				}
			}
		})
	}
}
