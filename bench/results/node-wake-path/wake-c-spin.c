/* wake-c.c, but busy-polling recv(MSG_DONTWAIT) from the start (LEAD_MS<0: blocking poll). Usage: PORT N PAUSE SPIN(0/1) */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <stdint.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <poll.h>
static int cmp(const void*a,const void*b){double x=*(double*)a,y=*(double*)b;return x<y?-1:x>y;}
int main(int c,char**v){int port=atoi(v[1]),n=atoi(v[2]),gap=atoi(v[3]),spin=atoi(v[4]);int s=socket(AF_INET,SOCK_DGRAM,0);
struct sockaddr_in a={0};a.sin_family=AF_INET;a.sin_port=htons(port);a.sin_addr.s_addr=htonl(0x7f000001);connect(s,(void*)&a,sizeof a);
double*w=malloc(n*sizeof(double));char buf[64]={1};
for(int i=0;i<n;i++){usleep(gap*1000);send(s,buf,60,0);uint64_t ts;
 if(spin){while(recv(s,&ts,8,MSG_DONTWAIT)<0);} else {struct pollfd p={s,POLLIN,0};poll(&p,1,-1);recv(s,&ts,8,0);}
 struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);
w[i]=((double)t.tv_sec*1e9+t.tv_nsec-(double)ts)/1e3;}
qsort(w,n,sizeof(double),cmp);printf("C spin=%d wake us median %.1f p10 %.1f p90 %.1f\n",spin,w[n/2],w[n/10],w[n*9/10]);}
