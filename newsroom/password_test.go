package newsroom

import (
	"strings"
	"testing"
)

func TestPasswordHash(t *testing.T) {
	hash, err := HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=65536,t=1,p=4$") {
		t.Errorf("hash %q is not an argon2id PHC string with the chosen parameters", hash)
	}
	if !VerifyPassword(hash, "correct horse battery staple") {
		t.Error("the right password does not verify")
	}
	if VerifyPassword(hash, "correct horse battery stapl") {
		t.Error("a wrong password verifies")
	}
	if again, _ := HashPassword("correct horse battery staple"); again == hash {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA",
		"$argon2id$v=19$m=4294967295,t=1,p=4$c2FsdHNhbHRzYWx0$aGFzaA", // would allocate 4 TiB
		"$argon2id$v=19$m=65536,t=1000,p=4$c2FsdHNhbHRzYWx0$aGFzaA",
		"$argon2id$v=19$m=65536,t=1,p=4$!!!$aGFzaA"} {
		if VerifyPassword(bad, "correct horse battery staple") {
			t.Errorf("the hash %q verifies", bad)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	for pw, ok := range map[string]bool{
		"short":                        false,
		"twelve chars":                 true,
		"élan vital é":                 true, // characters, not bytes
		strings.Repeat("a", 1025):      false,
		"invalid \xff utf-8 password!": false,
	} {
		if err := CheckPassword(pw); (err == nil) != ok {
			t.Errorf("CheckPassword(%.20q) = %v, want ok=%v", pw, err, ok)
		}
	}
}
