package yunxin

import (
	"context"
	"net/http"

	"github.com/chatemu/chatemu/emulator/world"
)

// History answers app's chatroom history for the room id and query string
// (sender_id, limit, page_token, descending, message_type) exactly as GET
// …/chatrooms/{room_id}/messages answers an authenticated request, without
// a rate limit: the HTTP status, the body and, for a refusal, the reason
// X-Chatemu-Reason would carry. It serves the control API's world routes,
// which show a room's pages as the API returns them. A done ctx gives a
// zero status.
func (s *Surface) History(ctx context.Context, app *world.YunxinApp, room, rawQuery string) (status int, body []byte, reason string) {
	var buf []byte
	b, _, e := s.page(ctx, app, room, rawQuery, &buf) // buf is the answer's own
	switch {
	case e != nil:
		status = e.status
		if status == 0 {
			status = http.StatusOK
		}
		return status, e.body(), e.Reason
	case b == nil:
		return 0, nil, ""
	}
	return http.StatusOK, b, ""
}
