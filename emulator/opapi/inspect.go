package opapi

import (
	"context"
	"net/http"

	"github.com/chatemu/chatemu/emulator/world"
)

// UserMessageList answers client's userMessageList for a JSON request body
// ({"userId", "pageNum", "pageSize", …}) exactly as POST
// /op/v2/userMessageList answers a request whose token and sign are right:
// the HTTP status, the body and, for a refusal, the reason
// X-Chatemu-Reason would carry. It serves the control API's world routes,
// which show a user's records as the API returns them. A done ctx gives a
// zero status.
func (s *Surface) UserMessageList(ctx context.Context, client *world.OpClient, body []byte) (status int, resp []byte, reason string) {
	b, e, err := s.answer(ctx, client, body)
	switch {
	case e != nil:
		return e.HTTPStatus(), s.errorBody(e), e.Reason
	case err != nil:
		return 0, nil, ""
	}
	return http.StatusOK, b, ""
}
