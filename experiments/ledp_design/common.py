"""Shared helpers of the LEDp design study: the data folder, CSV reading, the protocol's
split and the evaluation figures. The split, the ranks and every figure come from the
sednas package (the Rust library that `sednas benchmark` runs); the one exception is
`metrics_independent`, a deliberate independent re-implementation (numpy + scipy) kept
only to write tests/golden/ledp_golden.json, the values tests/benchmark.rs checks the Rust
evaluator against (a golden file computed by the evaluator it checks would check nothing)."""
import csv, math, os
import numpy as np
import sednas
D=os.path.join(os.environ.get('SEDNAS_DATA', os.path.join(os.path.dirname(__file__), '..', '..', '..', 'shared', 'data')), '')
def rcsv(p):
    with open(p) as f: return list(csv.DictReader(f))
def design_mask(archs, space):
    """The protocol's design half (sednas.protocol_half: top bit of FNV-1a-64 of the canonical text is 0)."""
    return np.array([h=='design' for h in sednas.protocol_half(archs, space)])
def metrics(score,acc):
    """The protocol's figures of a proxy on one split, from the sednas package: ρ, τ-b and the
    tie-aware top pick (sednas.evaluate), top-1 % in top 10 / 100 (sednas.top_percent,
    sednas.expected_hits). −inf is a score (below every number); NaN is refused."""
    s=np.asarray(score,float); a=np.asarray(acc,float); n=len(a)
    if np.isnan(s).any() or np.isnan(a).any(): raise ValueError('NaN score or accuracy: the design study scores every cell')
    r=sednas.evaluate(s,a); sel=r['selection']
    hit=sednas.top_percent(a,1.0)
    return dict(rho=r['spearman'],tau=r['kendall_tau_b'],best=sel['best_rank'],exp=sel['expected_rank'],worst=sel['worst_rank'],
                nt=sel['tied'],pct=sel['expected_rank']/n*100,t10=sednas.expected_hits(s,hit,10),t100=sednas.expected_hits(s,hit,100),n=n)
# ---- deliberate cross-check: an evaluator independent of the Rust one, for the golden file only ----
def fin(x):
    x=np.asarray(x,float).copy(); m=np.isfinite(x)
    if not m.all(): x[~m]=x[m].min()-1e6
    return x
def metrics_independent(score,acc):
    """The same figures as `metrics`, written out with numpy + scipy (NOT for analysis: only
    for tests/golden/ledp_golden.json, which checks the Rust evaluator)."""
    from scipy.stats import rankdata, kendalltau, spearmanr
    s=fin(score); a=np.asarray(acc,float); n=len(a)
    rho=spearmanr(s,a).correlation; tau=kendalltau(s,a).correlation  # tau-b
    crank=n-rankdata(a,method='max')+1  # competition rank, 1=best
    top=s==s.max(); r=crank[top]
    k1=math.ceil(n/100); top1=crank<=k1
    def exp_in_top(k):
        order=np.sort(s)[::-1]; b=order[k-1]
        above=s>b; tie=s==b; m=k-above.sum()
        return top1[above].sum()+m*top1[tie].sum()/tie.sum()
    return dict(rho=rho,tau=tau,best=r.min(),exp=r.mean(),worst=r.max(),nt=top.sum(),
                pct=r.mean()/n*100,t10=exp_in_top(10),t100=exp_in_top(100),n=n)
