#!/usr/bin/env bash
# Fill corpus/<target>/ with seed inputs taken from the repository's own examples and test
# data (the corpus itself is not committed). Needs an `emailprof` binary (EMAILPROF, default
# ../target/debug/emailprof), python3 (binary plists) and openssl (a signed profile).
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")"
root=..
bin=${EMAILPROF:-$root/target/debug/emailprof}
for t in profile mobileconfig cms intune directory plugin; do mkdir -p corpus/$t; done

# profile: the first byte picks the format (0 YAML, 1 JSON, 2 TOML).
i=0
for f in $root/examples/*.yaml $root/tests/invalid/*.yaml $root/crates/*/tests/data/*.yaml; do
  i=$((i + 1)); { printf '\0'; cat "$f"; } > corpus/profile/yaml-$i
done
for f in $root/tests/invalid/*.json; do i=$((i + 1)); { printf '\1'; cat "$f"; } > corpus/profile/json-$i; done
for f in $root/tests/invalid/*.toml; do i=$((i + 1)); { printf '\2'; cat "$f"; } > corpus/profile/toml-$i; done

# directory
cp $root/examples/directory.* corpus/directory/
for f in $root/crates/emailprof-directory/tests/data/*; do cp "$f" corpus/directory/; done

# intune
cp $root/crates/emailprof-intune/tests/data/*.json corpus/intune/

# mobileconfig and cms: emitted XML, the same as a binary plist, and signed.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for y in $root/examples/contoso.yaml $root/examples/minimal.yaml $root/examples/basic-auth.yaml; do
  n=$(basename "$y" .yaml)
  (cd $root && "$bin" emit "examples/$n.yaml" --platform ios --user user1) > corpus/mobileconfig/$n.xml
  python3 -c 'import plistlib,sys; d=plistlib.load(open(sys.argv[1],"rb")); plistlib.dump(d, open(sys.argv[2],"wb"), fmt=plistlib.FMT_BINARY)' \
    corpus/mobileconfig/$n.xml corpus/mobileconfig/$n.bplist
done
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$tmp/k.pem" \
  -out "$tmp/c.pem" -days 2 -subj /CN=fuzz 2>/dev/null
(cd $root && "$bin" emit examples/minimal.yaml --platform ios --user user1 --sign-cert "$tmp/c.pem" \
  --sign-key "$tmp/k.pem" --signing-time 2026-01-02T03:04:05Z) > corpus/mobileconfig/minimal.signed
openssl cms -sign -binary -nodetach -outform DER -in corpus/mobileconfig/minimal.xml -signer "$tmp/c.pem" \
  -inkey "$tmp/k.pem" -out corpus/mobileconfig/minimal.openssl.signed
# Indefinite-length BER, as some MDMs write.
openssl cms -sign -binary -nodetach -stream -outform DER -in corpus/mobileconfig/minimal.xml \
  -signer "$tmp/c.pem" -inkey "$tmp/k.pem" -out corpus/mobileconfig/minimal.ber.signed
cp corpus/mobileconfig/*.signed corpus/cms/

# plugin: the messages of the protocol (resolver-abi), with values that break markup.
cat > corpus/plugin/hello <<'J'
{"hello":{"protocol":"emailprof-resolver","abi":"1.0","plugin":{"name":"p","version":"1","abi":"1.0"}}}
J
echo '{"ready":{}}' > corpus/plugin/ready
echo '{"results":[{"attributes":{"userId":"u1","userPrincipalName":"u1@contoso.com","primarySmtpAddress":"a.b@contoso.com","sAMAccountName":"u1","domainFqdn":"contoso.com","netbiosName":"CONTOSO"}},{"error":{"code":"notFound","message":"no","userId":"x"}}]}' > corpus/plugin/results
echo '{"results":[{"attributes":{"userId":"u<1>","userPrincipalName":"a&b]]></string><key>x@c","primarySmtpAddress":"</Data>&amp;@c","sAMAccountName":"s<&>","netbiosName":"N]]>"}}]}' > corpus/plugin/markup
echo '{"error":{"code":"ambiguous","message":"two","userId":"x","count":2}}' > corpus/plugin/error
echo '{"results":[{"attributes":{"userId":"u1","userPrincipalName":"u1@contoso.com"}}]}' > corpus/plugin/response
echo "seeded: $(ls corpus/* | wc -l) files"
