#!/usr/bin/env python3
# Usage (from resources/icons): python3 render_icon.py 256 64 32 16
# Rasterises resources/icons/webthreat.svg's shapes (shield + points) into PNGs without
# ImageMagick or Qt's SVG plugin: plain Python, 4x4 supersampling.
import math, struct, zlib, sys

def shield(x, y):
    # Polygon top part and a curved bottom, approximated by sampling the cubic curves.
    pts = [(128,16),(224,52),(224,124)]
    def cubic(p0,p1,p2,p3,n=24):
        out=[]
        for i in range(1,n+1):
            t=i/n
            a=(1-t)**3; b=3*(1-t)**2*t; c=3*(1-t)*t*t; d=t**3
            out.append((a*p0[0]+b*p1[0]+c*p2[0]+d*p3[0], a*p0[1]+b*p1[1]+c*p2[1]+d*p3[1]))
        return out
    pts += cubic((224,124),(224,182),(184,222),(128,242))
    pts += cubic((128,242),(72,222),(32,182),(32,124))
    pts += [(32,52)]
    return pts

POLY = shield(0,0)
def inside(poly, x, y):
    c=False; n=len(poly)
    for i in range(n):
        x1,y1=poly[i]; x2,y2=poly[(i+1)%n]
        if (y1>y)!=(y2>y) and x < (x2-x1)*(y-y1)/(y2-y1)+x1: c=not c
    return c
def dist_to_poly(poly,x,y):
    best=1e9; n=len(poly)
    for i in range(n):
        x1,y1=poly[i]; x2,y2=poly[(i+1)%n]
        dx,dy=x2-x1,y2-y1; L=dx*dx+dy*dy
        t=max(0,min(1,((x-x1)*dx+(y-y1)*dy)/L)) if L else 0
        px,py=x1+t*dx,y1+t*dy
        best=min(best,math.hypot(x-px,y-py))
    return best

DOTS=[(92,150),(116,132),(102,116),(130,156),(140,124),(120,176)]
def color_at(x,y):
    # returns (r,g,b,a) for a sample point in 256-space
    if math.hypot(x-176,y-84) <= 17: return (230,51,42,255)
    if math.hypot(x-176,y-84) <= 20: return (255,255,255,255)
    for cx,cy in DOTS:
        if math.hypot(x-cx,y-cy) <= 11: return (158,202,225,255)
    ins=inside(POLY,x,y)
    d=dist_to_poly(POLY,x,y)
    if d <= 4: return (13,42,69,255)
    if ins: return (31,78,121,255)
    return (0,0,0,0)

def render(size):
    s=4; scale=256.0/size
    rows=[]
    for py in range(size):
        row=bytearray([0])
        for px in range(size):
            acc=[0,0,0,0]
            for sy in range(s):
                for sx in range(s):
                    c=color_at((px+(sx+0.5)/s)*scale,(py+(sy+0.5)/s)*scale)
                    a=c[3]
                    acc[0]+=c[0]*a; acc[1]+=c[1]*a; acc[2]+=c[2]*a; acc[3]+=a
            n=s*s
            a=acc[3]
            if a==0: row+=bytes(4)
            else: row+=bytes([round(acc[0]/a),round(acc[1]/a),round(acc[2]/a),round(a/n)])
        rows.append(bytes(row))
    raw=b''.join(rows)
    def chunk(t,d): return struct.pack('>I',len(d))+t+d+struct.pack('>I',zlib.crc32(t+d)&0xffffffff)
    return b'\x89PNG\r\n\x1a\n'+chunk(b'IHDR',struct.pack('>IIBBBBB',size,size,8,6,0,0,0))+chunk(b'IDAT',zlib.compress(raw,9))+chunk(b'IEND',b'')

for size in map(int, sys.argv[1:]):
    name = 'webthreat.png' if size == 256 else f'webthreat-{size}.png'
    open(name,'wb').write(render(size))
