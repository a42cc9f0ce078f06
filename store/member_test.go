package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"byline"
	"byline/store"
	"byline/store/storetest"
)

// memberLink stores a sign-in link for the address, created at t0.
func memberLink(t *testing.T, db *store.DB, hash, email string) {
	t.Helper()
	err := db.CreateMemberLink(context.Background(), &byline.MemberLink{TokenHash: hash, Purpose: byline.LinkSignIn, Email: email,
		Name: "Ana", CodeHash: "c-" + hash, Return: "/x/", CreatedAt: t0, ExpiresAt: t0.Add(24 * time.Hour), CodeExpiresAt: t0.Add(10 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
}

// TestUseMemberLinkOnce: nodes given one link at once sign in once; the first use makes
// the account and its session, a later use is a conflict, an expired one invalid.
func TestUseMemberLinkOnce(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return t0 }
		memberLink(t, db, "h1", "ana+x@example.org")
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins, conflicts := 0, 0
		for i := range 8 {
			wg.Go(func() {
				s := &byline.MemberSession{TokenHash: "s" + string(rune('a'+i)), CreatedAt: t0, SeenAt: t0}
				_, m, err := db.UseMemberLink(ctx, "h1", false, s, t0.Add(time.Minute))
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil && m.Email == "ana+x@example.org" && m.Name == "Ana" && s.MemberID == m.ID:
					wins++
				case byline.ErrorCode(err) == byline.ECONFLICT:
					conflicts++
				default:
					t.Errorf("use %d: %+v, %v", i, m, err)
				}
			})
		}
		wg.Wait()
		if wins != 1 || conflicts != 7 {
			t.Fatalf("eight uses at once: %d signed in, %d conflicts; want 1 and 7", wins, conflicts)
		}
		memberLink(t, db, "h2", "bob@example.org")
		if _, _, err := db.UseMemberLink(ctx, "h2", true, nil, t0.Add(11*time.Minute)); byline.ErrorCode(err) != byline.EINVALID {
			t.Fatalf("a code past its time: %v, want invalid", err)
		}
		if _, _, err := db.UseMemberLink(ctx, "nope", false, nil, t0); byline.ErrorCode(err) != byline.ENOTFOUND {
			t.Fatalf("an unknown link: %v, want not found", err)
		}
	})
}

// TestCopyMembers: byline copy carries members, their sessions and links between engines.
func TestCopyMembers(t *testing.T) {
	engines := storetest.Engines(t)
	ctx := context.Background()
	src := storetest.MustOpen(t, engines[len(engines)-1])
	dst := storetest.MustOpen(t, engines[0])
	src.Now = func() time.Time { return t0 }
	m := &byline.Member{Email: "ana@example.org", Name: "Ana", Newsletter: true, Status: byline.MemberComped}
	if err := src.CreateMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	gone := &byline.Member{Email: "gone@example.org"}
	if err := src.CreateMember(ctx, gone); err != nil {
		t.Fatal(err)
	}
	if err := src.DeleteMember(ctx, gone.ID, byline.CommentsKeep, t0); err != nil {
		t.Fatal(err)
	}
	if err := src.CreateMemberSession(ctx, &byline.MemberSession{TokenHash: "s", MemberID: m.ID, CreatedAt: t0, SeenAt: t0}); err != nil {
		t.Fatal(err)
	}
	memberLink(t, src, "h", "ana@example.org")
	if err := store.Copy(ctx, src, dst, nil); err != nil {
		t.Fatal(err)
	}
	_, got, err := dst.FindMemberSession(ctx, "s")
	if err != nil || got.ID != m.ID || !got.Newsletter || got.Status != byline.MemberComped || !got.CreatedAt.Equal(t0) {
		t.Fatalf("copied member: %+v, %v", got, err)
	}
	if g, err := dst.FindMemberByID(ctx, gone.ID); err != nil || g.Email != "" || g.DeletedComments != byline.CommentsKeep {
		t.Fatalf("copied deleted member: %+v, %v", g, err)
	}
	if l, err := dst.FindMemberLink(ctx, "h"); err != nil || l.Email != "ana@example.org" || l.MemberID != 0 {
		t.Fatalf("copied link: %+v, %v", l, err)
	}
}
