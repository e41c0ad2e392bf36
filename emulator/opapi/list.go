package opapi

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/chatemu/chatemu/emulator/internal/respond"
	"github.com/chatemu/chatemu/emulator/journal"
	"github.com/chatemu/chatemu/emulator/world"
)

// userMessageList is POST /op/v2/userMessageList: parse → auth → world
// query → records → envelope.
func (s *Surface) userMessageList(r *http.Request) (respond.Response, *Error) {
	if r.Method != http.MethodPost {
		return respond.Response{}, fail(CodeBadMethod, MsgMethodNotAllowed, fmt.Sprintf("method %s; the page says post", r.Method))
	}
	client, q, e := s.parseQuery(r)
	if e != nil {
		return respond.Response{}, e
	}
	journal.SetTenant(r, "op:"+client.Client)
	body, e := readBody(r)
	if e != nil {
		return respond.Response{}, e
	}
	if e := checkSign(client, q, body, s.reveal); e != nil {
		return respond.Response{}, e
	}
	b, e, err := s.answer(r.Context(), client, body)
	switch {
	case e != nil:
		return respond.Response{}, e
	case err != nil:
		// The client has gone (the request's context is done): the work
		// stopped and nobody reads an answer.
		s.log.Debug("request cancelled", "path", r.URL.Path, "err", err)
		return respond.Response{}, nil
	}
	// b is the page cache's (cachedList), which nothing writes again.
	res := envelopeResponse(http.StatusOK, b)
	res.Immutable = true
	return res, nil
}

// answer answers an authenticated, signed request of client: the body of
// the page, or the vendor's error, or ctx's error when it is done first.
func (s *Surface) answer(ctx context.Context, client *world.OpClient, body []byte) ([]byte, *Error, error) {
	req := request{client: client}
	if e := s.parseBody(body, &req); e != nil {
		return nil, e, nil
	}
	app, ok := s.world.EasemobAppOf(client.EasemobApp)
	if !ok {
		return nil, fail(CodeInternal, MsgInternal, fmt.Sprintf("client %s is linked to Easemob app %q, which is not in this world", client.Client, client.EasemobApp)), nil
	}
	if !app.HasUser(req.userID) {
		return nil, fail(CodeUnknownUser, MsgUserNotFound, fmt.Sprintf("%q is not a user of Easemob app %s/%s", req.userID, app.Org, app.App)), nil
	}
	b, err := s.cachedList(ctx, app, &req)
	return b, nil, err
}

// list answers a valid request. creatTime is the page's "起始消息的创建时间"
// (the starting message's creation time) and may be absent for every
// action (可为空: 是):
//
//   - INIT (首次加载初始化): the user's records newest first; with
//     creatTime, those created at or before it (a first load pinned to a
//     moment, so that its pages stay put while messages arrive);
//   - MORE (下拉加载更多): records strictly older than creatTime, newest
//     first; without creatTime there is nothing to be older than, so it
//     starts from the newest, as INIT does;
//   - NEW (增量更新): records strictly newer than creatTime, oldest first,
//     so that a client can continue from the last record it got; without
//     creatTime, the whole history oldest first (a first sync).
//
// pageNum and pageSize page the result by offset; needMark and needFavorite
// restrict it to the user's marked and favorited messages (both: to those
// marked and favorited). The records are rendered into rs and stay valid
// until it is used again.
func (s *Surface) list(ctx context.Context, app *world.EasemobApp, req *request, now time.Time, rs *recordSet) (envelope, error) {
	v := &userView{app: app, client: req.client, now: now, files: s.chatfilesPrefix(app),
		marks: map[string][]string{}, favorites: map[string]bool{}}
	for _, m := range req.client.Marks {
		if m.User == req.userID && len(m.Marks) > 0 {
			v.marks[m.MessageID] = append(v.marks[m.MessageID], m.Marks...)
		}
	}
	for _, f := range req.client.Favorites {
		if f.User == req.userID {
			v.favorites[f.MessageID] = true
		}
	}

	q := world.UserQuery{Tenant: app.Tenant(), User: req.userID, Descending: req.action != ActionNew}
	if !req.creatTime.IsZero() {
		switch req.action {
		case ActionInit: // at or before: bounds are exclusive, at ms precision
			q.Before = req.creatTime.Add(time.Millisecond)
		case ActionMore:
			q.Before = req.creatTime
		case ActionNew:
			q.After = req.creatTime
		}
	}
	offset := int64(req.pageNum-1) * int64(req.pageSize)

	var msgs []world.Message
	var total int64
	if req.needMark || req.needFavorite {
		msgs, total = s.overlayPage(app, req, v, q, offset)
	} else {
		// The world seeks to the offset: a deep page costs what the first
		// one costs, and a page past the end only a count.
		q.Offset, q.Limit = offset, req.pageSize
		box := s.msgs.Get()
		q.Buf = *box
		var err error
		if msgs, total, err = s.world.UserPage(ctx, q); err != nil {
			return envelope{}, err
		}
		defer s.msgs.Put(box, msgs) // the records copy what they show
	}

	data := s.records(v, msgs, rs)
	return envelope{
		Code:    CodeOK,
		Message: MsgOK,
		Data:    data,
		Page: &page{
			Total:    total,
			Page:     req.pageNum,
			PageSize: req.pageSize,
			Count:    len(data),
			Next:     offset+int64(len(data)) < total,
		},
		Foot: s.footAt(now),
	}, nil
}

// overlayPage pages the user's marked and/or favorited messages. Marks and
// favorites are a small overlay on the generated world, so they are resolved, filtered
// and sorted in memory; ids the world does not hold, or messages the user
// cannot see, are skipped.
func (s *Surface) overlayPage(app *world.EasemobApp, req *request, v *userView, q world.UserQuery, offset int64) ([]world.Message, int64) {
	seen := map[string]bool{}
	var ids []string
	for id := range v.marks {
		ids = append(ids, id)
	}
	for id := range v.favorites {
		ids = append(ids, id)
	}
	groups := map[string]bool{}
	for _, g := range app.Groups {
		if g.Owner == req.userID || slices.Contains(g.Members, req.userID) {
			groups[g.ID] = true
		}
	}
	var msgs []world.Message
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if req.needMark && v.marks[id] == nil || req.needFavorite && !v.favorites[id] {
			continue
		}
		m, ok := s.world.Message(q.Tenant, id)
		if !ok || !sees(m, req.userID, groups) || !within(m.At, q.After, q.Before) {
			continue
		}
		msgs = append(msgs, m)
	}
	slices.SortFunc(msgs, func(a, b world.Message) int {
		c := 0
		switch {
		case a.Key.Less(b.Key):
			c = -1
		case b.Key.Less(a.Key):
			c = 1
		}
		if q.Descending {
			c = -c
		}
		return c
	})
	total := int64(len(msgs))
	if offset >= total {
		return nil, total
	}
	return msgs[offset:min(total, offset+int64(req.pageSize))], total
}

// sees reports whether user sees m: one-to-one messages the user sent or
// received, and messages of groups the user belongs to (world.UserQuery).
func sees(m world.Message, user string, groups map[string]bool) bool {
	switch m.ChatType {
	case world.Chat:
		return m.From == user || m.To == user
	case world.GroupChat:
		return groups[m.To]
	}
	return false
}

// within reports whether at is in (after, before) at millisecond precision,
// zero bounds being open, as world.UserQuery bounds are.
func within(at, after, before time.Time) bool {
	ms := at.UnixMilli()
	return (after.IsZero() || ms > after.UnixMilli()) && (before.IsZero() || ms < before.UnixMilli())
}
