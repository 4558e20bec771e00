/* The same exchange as wake-node.mjs in C: poll() then recv(), stamp after recv returns.
   Usage: wake-c PORT EXCHANGES PAUSE_MS */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <stdint.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <poll.h>
static int cmp(const void*a,const void*b){double x=*(double*)a,y=*(double*)b;return x<y?-1:x>y;}
int main(int c,char**v){int port=atoi(v[1]),n=atoi(v[2]),gap=atoi(v[3]);int s=socket(AF_INET,SOCK_DGRAM,0);
struct sockaddr_in a={0};a.sin_family=AF_INET;a.sin_port=htons(port);a.sin_addr.s_addr=htonl(0x7f000001);connect(s,(void*)&a,sizeof a);
double*w=malloc(n*sizeof(double));char buf[64]={1};
for(int i=0;i<n;i++){usleep(gap*1000);send(s,buf,60,0);struct pollfd p={s,POLLIN,0};poll(&p,1,-1);uint64_t ts;recv(s,&ts,8,0);struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);
w[i]=((double)t.tv_sec*1e9+t.tv_nsec-(double)ts)/1e3;}
qsort(w,n,sizeof(double),cmp);printf("C wake us median %.1f p10 %.1f p90 %.1f\n",w[n/2],w[n/10],w[n*9/10]);}
