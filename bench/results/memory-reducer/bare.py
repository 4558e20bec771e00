import time, sys
late=[]; end=time.monotonic()+float(sys.argv[1]); prev=time.monotonic()
while time.monotonic()<end:
    time.sleep(0.01); now=time.monotonic(); late.append((now-prev)*1000-10); prev=now
late.sort(); q=lambda p: round(late[int(p*(len(late)-1))],2)
print(dict(n=len(late),p50=q(.5),p99=q(.99),p999=q(.999),max=round(late[-1],2),over5=sum(x>5 for x in late),over20=sum(x>20 for x in late)))
