"""The three spaces' ground truth with SED and LED-flow of every cell, scored by the sednas
package (the Rust scorers of `sednas score`), keyed by canonical architecture text."""
from common import *
def scores(archs, space):
    return sednas.score(archs, space, proxy='sed'), sednas.score(archs, space, proxy='led-flow')
def load_nb201():
    c=rcsv(D+'nb201_arch_cost.csv'); v=rcsv(D+'nb201_cifar10_valid_acc_nb201v1_0.csv'); t=rcsv(D+'nb201_test_acc_200ep.csv')
    archs=[r['arch_str'] for r in c]
    assert archs==[r['arch_str'] for r in v]==[r['arch_str'] for r in t]
    R=dict(arch=sednas.canonical_text(archs,'nb201')); R['sed'],R['led']=scores(archs,'nb201')
    for k in ['n_conv3x3','n_conv1x1','n_avgpool','n_skip','n_none','output_connected','params_mb_cifar10','flops_m_cifar10']:
        R[k]=np.array([float(r[k]) for r in c])
    R['edges']=sednas.nb201_ops(archs)  # edges 1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2 as the library parses them
    R['val']=np.array([float(r['cifar10_valid_val']) for r in v])
    for k in ['cifar10_test','cifar100_test','imagenet16_120_test']: R[k]=np.array([float(r[k]) for r in t])
    return R
def load_nb101():
    c=rcsv(D+'nb101_nasbenchvis_10k.csv')
    archs=[(r['adjacency_rowmajor'],r['ops']) for r in c]
    R=dict(arch=sednas.canonical_text(archs,'nb101')); R['sed'],R['led']=scores(archs,'nb101')
    R['params']=np.array([float(r['trainable_parameters']) for r in c]); R['acc']=np.array([float(r['valid_acc_108ep_1run']) for r in c])
    R['adj']=[r['adjacency_rowmajor'] for r in c]; R['ops']=[r['ops'].split(',') for r in c]
    keep=R['acc']>=15
    R={k:(np.asarray(v)[keep] if isinstance(v,np.ndarray) else [x for x,m in zip(v,keep) if m]) for k,v in R.items()}
    return R
def load_nb301():
    c=rcsv(D+'nb301_zc_proxies_naslib_sample.csv')
    archs=[r['normal_cell']+'|'+r['reduce_cell'] for r in c]
    R=dict(arch=sednas.canonical_text(archs,'darts'))
    # NASLib cells (op~input;...) split into (op, input) pairs for the graph features of feats.py
    R['normal']=[[(x.split('~')[0],int(x.split('~')[1])) for x in a['normal_cell'].split(';')] for a in c]
    R['reduce']=[[(x.split('~')[0],int(x.split('~')[1])) for x in a['reduce_cell'].split(';')] for a in c]
    R['sed'],R['led']=scores(archs,'darts')
    for k in ['params','flops','naslib_val_accuracy']: R[k]=np.array([float(r[k]) for r in c])
    R['acc']=R['naslib_val_accuracy']
    return R
