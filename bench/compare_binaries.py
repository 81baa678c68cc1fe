import subprocess, time, statistics, os, sys, resource
OLD=os.environ.get("OLD_EMAILPROF", "target-old/release/emailprof")
NEW=os.environ.get("NEW_EMAILPROF", "target/release/emailprof")
ROOT=os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N=int(sys.argv[1]) if len(sys.argv)>1 else 100000
d="/dev/shm/cmp"; os.makedirs(d, exist_ok=True)
csv=f"{d}/dir{N}.csv"
if not os.path.exists(csv):
    with open(csv,"w") as f:
        f.write("id,userPrincipalName,primarySmtpAddress,sAMAccountName,domainFqdn,netbiosName\n")
        for i in range(N):
            f.write(f"user{i},user{i}@contoso.com,user{i}@contoso.com,user{i},contoso.com,CONTOSO\n")
key=f"{d}/ec.key"; cert=f"{ROOT}/plugins/ldap/tests/data/server.pem"
subprocess.run(["cp",f"{ROOT}/plugins/ldap/tests/data/server.key",key]); os.chmod(key,0o600)
def run(binary, args):
    t=time.perf_counter()
    r=subprocess.run([binary]+args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter()-t, r.returncode
cases={
 "ios --jsonl": ["batch","examples/minimal.yaml","--platforms","ios","--quiet","--directory",csv,"--jsonl",f"{d}/o.jsonl"],
 "windows --jsonl": ["batch","examples/minimal.yaml","--platforms","windows","--quiet","--directory",csv,"--jsonl",f"{d}/o.jsonl"],
 "android-gmail --jsonl": ["batch","examples/minimal.yaml","--platforms","android-gmail","--quiet","--directory",csv,"--jsonl",f"{d}/o.jsonl"],
 "ios --archive": ["batch","examples/minimal.yaml","--platforms","ios","--quiet","--directory",csv,"--archive",f"{d}/o.tar"],
 "ios signed P-256 --jsonl": ["batch","examples/minimal.yaml","--platforms","ios","--quiet","--directory",csv,"--jsonl",f"{d}/o.jsonl","--sign-cert",cert,"--sign-key",key],
 "ios one file per user (tmpfs)": ["batch","examples/minimal.yaml","--platforms","ios","--quiet","--directory",csv,"--out",f"{d}/out"],
}
print(f"| run | users | old s (3 runs) | new s (3 runs) | old median | new median | new/old |")
print("|---|---:|---|---|---:|---:|---:|")
for name,args in cases.items():
    o=[];n=[]
    for _ in range(3):
        subprocess.run(["rm","-rf",f"{d}/out",f"{d}/o.jsonl",f"{d}/o.tar"])
        t,rc=run(OLD,args); assert rc==0,(name,"old",rc); o.append(t)
        subprocess.run(["rm","-rf",f"{d}/out",f"{d}/o.jsonl",f"{d}/o.tar"])
        t,rc=run(NEW,args); assert rc==0,(name,"new",rc); n.append(t)
    mo,mn=statistics.median(o),statistics.median(n)
    print(f"| {name} | {N} | {', '.join(f'{x:.2f}' for x in o)} | {', '.join(f'{x:.2f}' for x in n)} | {mo:.2f} | {mn:.2f} | {mn/mo:.2f} |")
# cold start
args=["emit","examples/minimal.yaml","-p","ios","--user","user1","--directory","examples/directory.csv"]
o=[];n=[]
for _ in range(21):
    o.append(run(OLD,args)[0]); n.append(run(NEW,args)[0])
print(f"| cold start emit (21 runs, median ms) | 1 | | | {statistics.median(o)*1000:.1f} | {statistics.median(n)*1000:.1f} | {statistics.median(n)/statistics.median(o):.2f} |")
# old vs old noise
oo=[]
for _ in range(3):
    subprocess.run(["rm","-f",f"{d}/o.jsonl"]); oo.append(run(OLD,cases["ios --jsonl"])[0])
print(f"\nold-code noise, ios --jsonl, 3 more runs: {', '.join(f'{x:.2f}' for x in oo)}")
