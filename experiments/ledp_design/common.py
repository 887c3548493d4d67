import csv, math, numpy as np
from scipy.stats import rankdata, kendalltau, spearmanr
import os
D=os.path.join(os.environ.get('SEDNAS_DATA', os.path.join(os.path.dirname(__file__), '..', '..', '..', 'shared', 'data')), '')
E=os.path.join(os.environ.get('LEDP_SCORES', '/tmp/ledp_scores'), '')
def rcsv(p):
    with open(p) as f: return list(csv.DictReader(f))
def fnv1a64(s):
    h=0xcbf29ce484222325
    for b in s.encode('utf-8'):
        h^=b; h=(h*0x100000001b3)&0xFFFFFFFFFFFFFFFF
    return h
def is_design(s): return (fnv1a64(s)>>63)==0
def fin(x):
    x=np.asarray(x,float).copy(); m=np.isfinite(x)
    if not m.all(): x[~m]=x[m].min()-1e6
    return x
def metrics(score,acc):
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
