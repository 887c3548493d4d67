from load import *
import itertools
# op cost: 'conv' ops count in nconv; 'pool' ops count in nop; skip/identity 0; none cuts
def path_stats(nodes, edges, src, dst, cost):
    """edges: list of (u,v,op) with u<v topological; cost(op)->(is_cut, nconv, nop).
    returns list of (nconv, nop) over all alive src->dst paths"""
    out={}
    for u,v,op in edges: out.setdefault(u,[]).append((v,op))
    res=[]
    def dfs(u,c,o):
        if u in dst: res.append((c,o))
        for v,op in out.get(u,[]):
            cut,dc,do=cost(op)
            if not cut: dfs(v,c+dc,o+do)
    for s in src: dfs(s,0,0)
    return res
def summarize(ps):
    if not ps: return dict(npath=0,dmin=np.inf,dmax=0,cmin=np.inf,cmax=0)
    return dict(npath=len(ps),dmin=min(o for c,o in ps),dmax=max(o for c,o in ps),cmin=min(c for c,o in ps),cmax=max(c for c,o in ps))
def c201(op):
    return {'none':(1,0,0),'skip_connect':(0,0,0),'nor_conv_1x1':(0,1,1),'nor_conv_3x3':(0,1,1),'avg_pool_3x3':(0,0,1)}[op]
def feats201(A):
    pairs=[(0,1),(0,2),(1,2),(0,3),(1,3),(2,3)]
    F={k:[] for k in ['npath','dmin','dmax','cmin','cmax']}
    for e in A['edges']:
        s=summarize(path_stats(4,[(u,v,op) for (u,v),op in zip(pairs,e)],[0],{3},c201))
        for k in F: F[k].append(s[k])
    F={k:np.array(v,float) for k,v in F.items()}
    F['lp']=np.log2(A['params_mb_cifar10']*1e6); F['lf']=np.log2(A['flops_m_cifar10']*1e6)
    F['led']=A['led']; F['sed']=A['sed']; F['conn']=A['output_connected']
    return F
def c101(op): return {'conv3x3-bn-relu':(0,1,1),'conv1x1-bn-relu':(0,1,1),'maxpool3x3':(0,0,1),'input':(0,0,0),'output':(0,0,0)}[op]
def feats101(B):
    F={k:[] for k in ['npath','dmin','dmax','cmin','cmax','in_out','width','fanout','npool','n3','n1']}
    for adj,ops in zip(B['adj'],B['ops']):
        n=len(ops); M=[[adj[i*n+j]=='1' for j in range(n)] for i in range(n)]
        # vertex ops -> put op cost on edges entering the vertex
        edges=[(i,j,ops[j]) for i in range(n) for j in range(n) if M[i][j]]
        s=summarize(path_stats(n,edges,[0],{n-1},c101))
        for k in ['npath','dmin','dmax','cmin','cmax']: F[k].append(s[k])
        F['in_out'].append(float(M[0][n-1])); F['width'].append(sum(M[i][n-1] for i in range(1,n-1)))
        F['fanout'].append(sum(M[0][j] for j in range(1,n-1)))
        F['npool'].append(ops.count('maxpool3x3')); F['n3'].append(ops.count('conv3x3-bn-relu')); F['n1'].append(ops.count('conv1x1-bn-relu'))
    F={k:np.array(v,float) for k,v in F.items()}
    F['lp']=np.log2(B['params']); F['led']=B['led']; F['sed']=B['sed']
    return F
def c301(op):
    if op=='none': return (1,0,0)
    if op=='skip_connect': return (0,0,0)
    if 'pool' in op: return (0,0,1)
    return (0,1,1)
def feats301(C):
    F={}
    for cell in ['normal','reduce']:
        G={k:[] for k in ['npath','dmin','dmax','cmin','cmax','nskip','npool','nconv','nsep','ndil','k5','inused']}
        for g in C[cell]:
            edges=[(j,2+i//2,op) for i,(op,j) in enumerate(g)]
            s=summarize(path_stats(6,edges,[0,1],{2,3,4,5},c301))
            for k in ['npath','dmin','dmax','cmin','cmax']: G[k].append(s[k])
            ops=[o for o,_ in g]
            G['nskip'].append(ops.count('skip_connect')); G['npool'].append(sum('pool' in o for o in ops))
            G['nconv'].append(sum('conv' in o for o in ops)); G['nsep'].append(sum('sep' in o for o in ops)); G['ndil'].append(sum('dil' in o for o in ops))
            G['k5'].append(sum('5x5' in o for o in ops))
            # number of intermediate nodes directly consuming an input node (0/1)
            G['inused'].append(sum(1 for o,j in g if j<2))
        for k,v in G.items(): F[k+'_'+cell[0]]=np.array(v,float)
    for k in ['npath','dmin','dmax','cmin','cmax','nskip','npool','nconv','nsep','ndil','k5','inused']:
        F[k]=(F[k+'_n']+F[k+'_r'])/2
    F['lp']=np.log2(C['params']*1e6); F['lf']=np.log2(C['flops']*1e6); F['led']=C['led']; F['sed']=C['sed']
    return F
def load_all():
    A=load_nb201(); B=load_nb101(); C=load_nb301()
    FA=feats201(A); FB=feats101(B); FC=feats301(C)
    dB=design_mask(B['arch'],'nb101'); dC=design_mask(C['arch'],'darts')
    return A,B,C,FA,FB,FC,dB,dC
