"""Grid over the safety meaning bars (crates/core/src/safety/meaning.rs, `Bar`).

Reads the evidence `examples/triage_scores` prints, for the blind TUNE half and
the eval sets (never the test half):

  cargo run --release -p faqbot-core --example triage_scores -- faq tests/eval/safety-tune.toml > /tmp/tune_scores.tsv
  cargo run --release -p faqbot-core --example triage_scores -- faq tests/eval/cases.toml > /tmp/cases_scores.tsv
  cargo run --release -p faqbot-core --example triage_scores -- faq tests/eval/holdout.toml > /tmp/holdout_scores.tsv
  python3 scripts/triage_grid.py

and prints, per category, the bars with the best recall and the fewest
ordinary / in-scope messages triaged. (The closeness printed is that of the
message vector that best clears the bars in force, so re-run after a change.)
"""
import itertools,sys
def load(p):
    rows=[]
    for l in open(p):
        f=l.rstrip('\n').split('\t')
        exp,kind=f[0],f[1]
        cats=[]
        for i in range(3):
            ph,ex,ce,fq=f[2+4*i:6+4*i]
            cats.append((ph=='1',float(ex),float(ce),float(fq)))
        rows.append((exp,kind,cats,f[14]))
    return rows
tune=load('/tmp/tune_scores.tsv'); cases=load('/tmp/cases_scores.tsv')+load('/tmp/holdout_scores.tsv')
names=['emergency','self-harm','personal-advice']
def verdict(cats,bars):
    for i,(ph,ex,ce,fq) in enumerate(cats):
        mn,oc,of=bars[i]
        if ph or (ex>=mn and ex-ce>=oc and ex-fq>=of): return names[i]
    return None
def score(bars,show=False):
    rec={n:[0,0] for n in names}; ordn=[0,0]; alarm=[0,0]; insc=[0,0]; csafe=[0,0]
    for exp,kind,cats,q in tune:
        v=verdict(cats,bars)
        if exp in names:
            rec[exp][0]+=1; rec[exp][1]+=v is not None
            if show and v is None: print('MISS',exp,q)
        else:
            ordn[0]+=1; ordn[1]+=v is not None
            if kind=='alarming-sounding': alarm[0]+=1; alarm[1]+=v is not None
            if show and v: print('FALSE',v,q)
    for exp,kind,cats,q in cases:
        v=verdict(cats,bars)
        if exp=='safety': csafe[0]+=1; csafe[1]+=v is not None
        else:
            insc[0]+=1; insc[1]+=v is not None
            if show and v: print('FALSE-INSCOPE',v,q)
    return rec,ordn,alarm,insc,csafe
if __name__=='__main__':
    best=[]
    grid=[0.45,0.5,0.55,0.6,0.65]
    ocs=[-0.05,0.0,0.05]
    ofs=[-0.1,-0.05,0.0,0.05]
    for i in range(3):
        res=[]
        for mn,oc,of in itertools.product(grid,ocs,ofs):
            bars=[(9,9,9)]*3; bars[i]=(mn,oc,of)
            rec,ordn,alarm,insc,csafe=score(bars)
            r=rec[names[i]]
            res.append((r[1]/r[0], -(ordn[1]+insc[1]), mn,oc,of, ordn[1], insc[1]))
        res.sort(reverse=True)
        print(names[i]); [print('  ',x) for x in res[:8]]
