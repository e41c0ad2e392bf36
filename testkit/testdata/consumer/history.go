// Package history is a consumer of chatemu's testkit, written the way the
// README shows: a small Easemob history client (token, archive link,
// download) whose test needs one import of testkit. testkit's
// TestConsumerModule builds, vets and runs it as a module of its own.
package history

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Client reads an Easemob app's hourly message archives.
type Client struct {
	BaseURL, Org, App, ClientID, ClientSecret string
}

// Hour returns the ids of the messages archived in hour (yyyyMMddHH).
func (c *Client) Hour(hour string) ([]string, error) {
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	body := fmt.Sprintf(`{"grant_type":"client_credentials","client_id":%q,"client_secret":%q}`, c.ClientID, c.ClientSecret)
	if err := call(http.MethodPost, c.BaseURL+"/"+c.Org+"/"+c.App+"/token", "", body, &tok); err != nil {
		return nil, err
	}
	var links struct {
		Data []struct {
			URL string `json:"url"`
		} `json:"data"`
	}
	if err := call(http.MethodGet, c.BaseURL+"/"+c.Org+"/"+c.App+"/chatmessages/"+hour, tok.AccessToken, "", &links); err != nil {
		return nil, err
	}
	if len(links.Data) == 0 {
		return nil, fmt.Errorf("hour %s: no archive link", hour)
	}
	res, err := http.Get(links.Data[0].URL)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("archive: HTTP %d", res.StatusCode)
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		return nil, err
	}
	var ids []string
	lines := bufio.NewScanner(zr)
	lines.Buffer(nil, 1<<20)
	for lines.Scan() {
		var m struct {
			MsgID string `json:"msg_id"`
		}
		if err := json.Unmarshal(lines.Bytes(), &m); err != nil {
			return nil, err
		}
		ids = append(ids, m.MsgID)
	}
	return ids, lines.Err()
}

func call(method, url, token, body string, out any) error {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: HTTP %d", method, url, res.StatusCode)
	}
	return json.NewDecoder(res.Body).Decode(out)
}
