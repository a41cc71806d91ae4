package apply

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"

	consulapi "github.com/hashicorp/consul/api"

	"github.com/confc/confc/compiler"
)

// lossyProxy forwards every request to target, but the answer to the first
// one that match accepts is replaced by a 502 after the server carried the
// request out: a create whose answer was lost on the way back. It returns
// the proxy's URL and the number of requests match accepted.
func lossyProxy(t *testing.T, target string, match func(*http.Request) bool) (string, *atomic.Int32) {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	var matched atomic.Int32
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.Header.Get("X-Test-Drop") != "" {
			return errors.New("answer dropped by the test")
		}
		return nil
	}
	rp.ErrorHandler = func(w http.ResponseWriter, _ *http.Request, _ error) {
		w.WriteHeader(http.StatusBadGateway)
	}
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if match(r) && matched.Add(1) == 1 {
			r.Header.Set("X-Test-Drop", "1")
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s.URL, &matched
}

// A Consul token create whose answer is lost is not sent again once the
// token exists: Consul ends with one token, and the next apply succeeds.
func TestTokenCreateAnswerLost(t *testing.T) {
	c := newCluster(t, 1)
	proxy, matched := lossyProxy(t, c.consul.Addr, func(r *http.Request) bool {
		return r.Method == http.MethodPut && r.URL.Path == "/v1/acl/token"
	})
	_, err, _ := c.apply(t, "lossy", func(o *Options) { o.Conn.ConsulAddr = proxy })
	if err != nil {
		t.Fatalf("apply with a lost token answer: %v", err)
	}
	if matched.Load() == 0 {
		t.Fatal("no token create went through the proxy")
	}
	desc := c.plan.Step(componentsTokenStep(t, c.plan)).ConsulToken.Description
	list, _, err := c.consul.API().ACL().TokenList(nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range list {
		if e.Description == desc {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d tokens with the description %q, want 1", n, desc)
	}
	if _, err, _ := c.apply(t, "again", nil); err != nil {
		t.Fatalf("the next apply: %v", err)
	}
	c.assertNoLeak(t)
}

func componentsTokenStep(t *testing.T, p *compiler.Plan) string {
	t.Helper()
	for _, s := range p.Steps {
		if s.Kind == compiler.KindConsulToken {
			return s.ID
		}
	}
	t.Fatal("the plan has no Consul token step")
	return ""
}

// A CA generate whose answer is lost leaves one issuer, not two.
func TestCAGenerateAnswerLost(t *testing.T) {
	c := newCluster(t, 1)
	proxy, matched := lossyProxy(t, c.vaults[0].Addr, func(r *http.Request) bool {
		return r.URL.Path == "/v1/"+compiler.PKIMount+"/root/generate/internal"
	})
	_, err, _ := c.apply(t, "lossy", func(o *Options) { o.Conn.VaultAddrs = []string{proxy} })
	if err != nil {
		t.Fatalf("apply with a lost CA answer: %v", err)
	}
	if matched.Load() == 0 {
		t.Fatal("no CA generate went through the proxy")
	}
	sec, err := c.rootClient(t).Logical().List(compiler.PKIMount + "/issuers")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(asStrings(sec.Data["keys"])); n != 1 {
		t.Fatalf("%d issuers, want 1", n)
	}
	c.assertNoLeak(t)
}

// An init whose answer is lost is not sent again: the second would only
// be refused, and the keys are gone either way. The apply says so and
// stores nothing.
func TestInitAnswerLost(t *testing.T) {
	c := newCluster(t, 1)
	proxy, matched := lossyProxy(t, c.vaults[0].Addr, func(r *http.Request) bool {
		return r.URL.Path == "/v1/sys/init" && r.Method != http.MethodGet
	})
	_, err, _ := c.apply(t, "lossy init", func(o *Options) { o.Conn.VaultAddrs = []string{proxy} })
	if !errors.Is(err, errInitAnswerLost) {
		t.Fatalf("apply with a lost init answer: %v, want errInitAnswerLost", err)
	}
	if n := matched.Load(); n != 1 {
		t.Errorf("%d init requests sent, want 1", n)
	}
	var pair *consulapi.KVPair
	if pair, _, err = c.consul.API().KV().Get(UnsealKeysKey(c.plan.Cluster.Name), nil); err != nil || pair != nil {
		t.Errorf("a bundle was stored: %v", err)
	}
	c.assertNoLeak(t)
}
