package testkit_test

// Small history-sync clients of the kind chatemu users write, one per
// vendor, for the Examples and the isolation test. Each retries what the
// vendor says to retry, backing off through an injected sleep: time.Sleep
// in production, the emulator clock's Advance in tests, so that no test
// sleeps.

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/chatemu/chatemu/emulator/yunxin"
)

// retrier runs a request until it is not to be retried, backing off first
// (default 1s), then twice as long each time (at most 5 attempts). retry
// says whether an answer is worth another attempt; a transport error (a
// dropped connection) always is.
type retrier struct {
	sleep func(time.Duration)
	first time.Duration
}

func (r retrier) do(client *http.Client, newReq func() *http.Request, retry func(status int, body []byte) bool) (int, []byte, error) {
	backoff := r.first
	if backoff == 0 {
		backoff = time.Second
	}
	var lastErr error
	for range 5 {
		res, err := client.Do(newReq())
		if err == nil {
			body, rerr := io.ReadAll(res.Body)
			res.Body.Close()
			if rerr == nil && !retry(res.StatusCode, body) {
				return res.StatusCode, body, nil
			}
			err = rerr
			if err == nil {
				err = fmt.Errorf("HTTP %d %s", res.StatusCode, bytes.TrimSpace(body))
			}
		}
		lastErr = err
		r.sleep(backoff)
		backoff *= 2
	}
	return 0, nil, fmt.Errorf("giving up: %w", lastErr)
}

// easemobSync downloads an hour of Easemob history: app token, archive
// link, gzip of NDJSON. It backs off on 429 and dropped connections and asks
// for a fresh link when the download answers 403 (an expired link).
type easemobSync struct {
	base, org, app, clientID, clientSecret string
	http                                   *http.Client
	retrier
	token string
}

func (c *easemobSync) authorize() error {
	body := fmt.Sprintf(`{"grant_type":"client_credentials","client_id":%q,"client_secret":%q}`, c.clientID, c.clientSecret)
	status, b, err := c.retrier.do(c.http, func() *http.Request {
		req, _ := http.NewRequest("POST", c.base+"/"+c.org+"/"+c.app+"/token", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		return req
	}, func(status int, _ []byte) bool { return status == 429 || status >= 500 })
	if err != nil {
		return err
	}
	if status != 200 {
		return fmt.Errorf("token: HTTP %d %s", status, b)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.Unmarshal(b, &tok)
	c.token = tok.AccessToken
	return err
}

// Link returns the archive link of hour (yyyyMMddHH).
func (c *easemobSync) Link(hour string) (string, error) {
	if c.token == "" {
		if err := c.authorize(); err != nil {
			return "", err
		}
	}
	status, b, err := c.retrier.do(c.http, func() *http.Request {
		req, _ := http.NewRequest("GET", c.base+"/"+c.org+"/"+c.app+"/chatmessages/"+hour, nil)
		req.Header.Set("Authorization", "Bearer "+c.token)
		return req
	}, func(status int, _ []byte) bool { return status == 429 || status >= 500 })
	if err != nil {
		return "", err
	}
	if status != 200 {
		return "", fmt.Errorf("chatmessages: HTTP %d %s", status, b)
	}
	var res struct {
		Data []struct {
			URL string `json:"url"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &res); err != nil || len(res.Data) == 0 {
		return "", fmt.Errorf("chatmessages: no link in %s", b)
	}
	return res.Data[0].URL, nil
}

// Messages downloads the archive behind link, asking for a fresh link of
// hour once if the link has expired.
func (c *easemobSync) Messages(hour, link string) ([]map[string]any, error) {
	for refreshed := false; ; refreshed = true {
		status, b, err := c.retrier.do(c.http, func() *http.Request {
			req, _ := http.NewRequest("GET", link, nil)
			return req
		}, func(status int, _ []byte) bool { return status == 503 || status >= 500 })
		if err != nil {
			return nil, err
		}
		if status == 403 && !refreshed {
			if link, err = c.Link(hour); err != nil {
				return nil, err
			}
			continue
		}
		if status != 200 {
			return nil, fmt.Errorf("archive: HTTP %d %s", status, b)
		}
		return ndjson(b)
	}
}

// Sync is Link then Messages.
func (c *easemobSync) Sync(hour string) ([]map[string]any, error) {
	link, err := c.Link(hour)
	if err != nil {
		return nil, err
	}
	return c.Messages(hour, link)
}

func ndjson(gz []byte) ([]map[string]any, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	var out []map[string]any
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, sc.Err()
}

// yunxinSync reads a Yunxin chat room's history page by page. Yunxin
// answers HTTP 200 with code 416 when an app is over its frequency limit:
// the client backs off and retries.
type yunxinSync struct {
	base, appKey, appSecret string
	http                    *http.Client
	retrier
	now func() time.Time // the wall clock: CurTime is real time
}

type yunxinItem struct {
	SenderID string `json:"sender_id"`
	Text     string `json:"text"`
}

func (c *yunxinSync) Room(room, sender string) ([]yunxinItem, error) {
	var out []yunxinItem
	token := ""
	for {
		path := fmt.Sprintf("%s/im/v2/chatrooms/%s/messages?sender_id=%s&limit=100", c.base, room, sender)
		if token != "" {
			path += "&page_token=" + url.QueryEscape(token)
		}
		_, b, err := c.retrier.do(c.http, func() *http.Request {
			req, _ := http.NewRequest("GET", path, nil)
			cur := strconv.FormatInt(c.now().Unix(), 10)
			req.Header.Set("AppKey", c.appKey)
			req.Header.Set("Nonce", "n0nce")
			req.Header.Set("CurTime", cur)
			req.Header.Set("CheckSum", yunxin.CheckSum(c.appSecret, "n0nce", cur))
			return req
		}, func(status int, body []byte) bool {
			return status != 200 || bytes.HasPrefix(body, []byte(`{"code":416`)) || bytes.HasPrefix(body, []byte(`{"code":500`))
		})
		if err != nil {
			return nil, err
		}
		var env struct {
			Code int    `json:"code"`
			Msg  string `json:"msg"`
			Data struct {
				HasMore   bool         `json:"has_more"`
				NextToken string       `json:"next_token"`
				Items     []yunxinItem `json:"items"`
			} `json:"data"`
		}
		if err := json.Unmarshal(b, &env); err != nil {
			return nil, err
		}
		if env.Code != 200 {
			return nil, fmt.Errorf("yunxin code %d %s", env.Code, env.Msg)
		}
		out = append(out, env.Data.Items...)
		if !env.Data.HasMore {
			return out, nil
		}
		token = env.Data.NextToken
	}
}

// opSync lists a user's messages through the Op API and downloads their
// attachments from the getUrl links, listing again for fresh links when a
// download answers 401 (the link expired).
type opSync struct {
	base, client, token string
	http                *http.Client
	retrier
}

type opRecord struct {
	HxMsgID string  `json:"hxMsgId"`
	Type    string  `json:"type"`
	Msg     *string `json:"msg"`
	GetURL  *string `json:"getUrl"`
}

func (c *opSync) List(user string) ([]opRecord, error) {
	body := fmt.Sprintf(`{"userId":%q,"pageNum":1,"pageSize":100}`, user)
	_, b, err := c.retrier.do(c.http, func() *http.Request {
		req, _ := http.NewRequest("POST", c.base+"/op/v2/userMessageList?apiVersion=01&client="+c.client+"&token="+c.token, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		return req
	}, func(status int, body []byte) bool {
		return status != 200 || bytes.HasPrefix(body, []byte(`{"code":429`)) || bytes.HasPrefix(body, []byte(`{"code":500`))
	})
	if err != nil {
		return nil, err
	}
	var env struct {
		Code    int        `json:"code"`
		Message string     `json:"message"`
		Data    []opRecord `json:"data"`
	}
	if err := json.Unmarshal(b, &env); err != nil {
		return nil, err
	}
	if env.Code != 200 {
		return nil, fmt.Errorf("op code %d %s", env.Code, env.Message)
	}
	return env.Data, nil
}

// Download fetches a record's attachment, listing user's messages again
// for a fresh link once if the link has expired.
func (c *opSync) Download(user string, rec opRecord) ([]byte, error) {
	for refreshed := false; ; refreshed = true {
		if rec.GetURL == nil {
			return nil, errors.New("no getUrl")
		}
		status, b, err := c.retrier.do(c.http, func() *http.Request {
			req, _ := http.NewRequest("GET", *rec.GetURL, nil)
			return req
		}, func(status int, _ []byte) bool { return status >= 500 })
		if err != nil {
			return nil, err
		}
		if status == 401 && !refreshed {
			recs, err := c.List(user)
			if err != nil {
				return nil, err
			}
			for _, r := range recs {
				if r.HxMsgID == rec.HxMsgID {
					rec = r
				}
			}
			continue
		}
		if status != 200 {
			return nil, fmt.Errorf("download: HTTP %d %s", status, b)
		}
		return b, nil
	}
}
