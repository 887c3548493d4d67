from common import *
import re
def load_nb201():
    c=rcsv(D+'nb201_arch_cost.csv'); v=rcsv(D+'nb201_cifar10_valid_acc_nb201v1_0.csv'); t=rcsv(D+'nb201_test_acc_200ep.csv')
    sed=rcsv(E+'nb201_sed.csv'); led=rcsv(E+'nb201_led-flow.csv')
    assert all(a['arch_str']==b['arch'] for a,b in zip(c,sed))
    R=dict(arch=[r['arch'] for r in sed])
    R['sed']=np.array([float(r['sed']) for r in sed]); R['led']=np.array([float(r['led_flow']) for r in led])
    for k in ['n_conv3x3','n_conv1x1','n_avgpool','n_skip','n_none','output_connected','params_mb_cifar10','flops_m_cifar10']:
        R[k]=np.array([float(r[k]) for r in c])
    R['edges']=[[r[k] for k in ['edge_1_0','edge_2_0','edge_2_1','edge_3_0','edge_3_1','edge_3_2']] for r in c]
    R['val']=np.array([float(r['cifar10_valid_val']) for r in v])
    for k in ['cifar10_test','cifar100_test','imagenet16_120_test']: R[k]=np.array([float(r[k]) for r in t])
    return R
def load_nb101():
    c=rcsv(D+'nb101_nasbenchvis_10k.csv'); sed=rcsv(E+'nb101_sed.csv'); led=rcsv(E+'nb101_led-flow.csv')
    for a,b in zip(c,sed): assert b['arch']==a['adjacency_rowmajor']+'|'+a['ops'], (a,b)
    R=dict(arch=[r['arch'] for r in sed])
    R['sed']=np.array([float(r['sed']) for r in sed]); R['led']=np.array([float(r['led_flow']) for r in led])
    R['params']=np.array([float(r['trainable_parameters']) for r in c]); R['acc']=np.array([float(r['valid_acc_108ep_1run']) for r in c])
    R['adj']=[r['adjacency_rowmajor'] for r in c]; R['ops']=[r['ops'].split(',') for r in c]
    keep=R['acc']>=15
    R={k:(np.asarray(v)[keep] if isinstance(v,np.ndarray) else [x for x,m in zip(v,keep) if m]) for k,v in R.items()}
    return R
def load_nb301():
    c=rcsv(D+'nb301_zc_proxies_naslib_sample.csv'); sed=rcsv(E+'nb301_sed.csv'); led=rcsv(E+'nb301_led-flow.csv')
    R=dict(arch=[r['arch'] for r in sed])
    def parse_gen(s):
        m=re.match(r"Genotype\(normal=\[(.*)\], normal_concat=range\(2, 6\), reduce=\[(.*)\], reduce_concat=range\(2, 6\)\)",s)
        f=lambda t:[(o,int(i)) for o,i in re.findall(r"\('(\w+)', (\d)\)",t)]
        return f(m.group(1)),f(m.group(2))
    for a,b in zip(c,sed):
        n,r=parse_gen(b['arch']); cn=[(x.split('~')[0],int(x.split('~')[1])) for x in a['normal_cell'].split(';')]
        cr=[(x.split('~')[0],int(x.split('~')[1])) for x in a['reduce_cell'].split(';')]
        assert n==cn and r==cr
    R['normal']=[[(x.split('~')[0],int(x.split('~')[1])) for x in a['normal_cell'].split(';')] for a in c]
    R['reduce']=[[(x.split('~')[0],int(x.split('~')[1])) for x in a['reduce_cell'].split(';')] for a in c]
    R['sed']=np.array([float(r['sed']) for r in sed]); R['led']=np.array([float(r['led_flow']) for r in led])
    for k in ['params','flops','naslib_val_accuracy']: R[k]=np.array([float(r[k]) for r in c])
    R['acc']=R['naslib_val_accuracy']
    return R
