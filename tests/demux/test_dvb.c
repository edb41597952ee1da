/* The DVB source without a tuner: dvbv5 channel files as dvbv5-scan writes
 * them are read through libdvbv5, and a missing adapter is a clear error. */
#include "demux/internal.h"
#include "tests/test.h"

#include <linux/dvb/frontend.h>

static const char channels[] = "[Canal Etude]\n"
                               "\tSERVICE_ID = 1001\n"
                               "\tVIDEO_PID = 101\n"
                               "\tAUDIO_PID = 102 103\n"
                               "\tFREQUENCY = 578000000\n"
                               "\tINVERSION = AUTO\n"
                               "\tBANDWIDTH_HZ = 8000000\n"
                               "\tCODE_RATE_HP = 2/3\n"
                               "\tCODE_RATE_LP = NONE\n"
                               "\tMODULATION = QAM/64\n"
                               "\tTRANSMISSION_MODE = 8K\n"
                               "\tGUARD_INTERVAL = 1/4\n"
                               "\tHIERARCHY = NONE\n"
                               "\tDELIVERY_SYSTEM = DVBT\n"
                               "\n"
                               "[CCTV-17 农业]\n"
                               "\tSERVICE_ID = 17\n"
                               "\tFREQUENCY = 11720000\n"
                               "\tPOLARIZATION = HORIZONTAL\n"
                               "\tSYMBOL_RATE = 27500000\n"
                               "\tINNER_FEC = 3/4\n"
                               "\tMODULATION = PSK/8\n"
                               "\tROLLOFF = 35\n"
                               "\tLNB = UNIVERSAL\n"
                               "\tDELIVERY_SYSTEM = DVBS2\n";

static void test_channel_file(void)
{
    ASSERT_EQ(sc_write_file_atomic("channels.conf", channels, sizeof channels - 1), 0);
    struct dmx_dvb_channel ch;
    ASSERT_EQ(dmx_dvb_find_channel("channels.conf", "Canal Etude", &ch), 0);
    ASSERT_EQ(ch.frequency, 578000000);
    ASSERT_EQ(ch.delivery_system, SYS_DVBT);
    ASSERT_EQ(ch.service_id, 1001);
    ASSERT_GE(ch.n_props, 9);
    ASSERT_EQ(dmx_dvb_find_channel("channels.conf", "CCTV-17 农业", &ch), 0);
    ASSERT_EQ(ch.delivery_system, SYS_DVBS2);
    ASSERT_EQ(ch.frequency, 11720000);
    ASSERT_EQ(ch.service_id, 17);
    /* by service id too */
    ASSERT_EQ(dmx_dvb_find_channel("channels.conf", "1001", &ch), 0);
    ASSERT_EQ(ch.frequency, 578000000);
    ASSERT_EQ(dmx_dvb_find_channel("channels.conf", "No Such Channel", &ch), DMX_ERR_CHANNEL);
    ASSERT_EQ(dmx_dvb_find_channel("missing.conf", "Canal Etude", &ch), DMX_ERR_CHANNEL);
}

static void test_missing_adapter(void)
{
    struct dmx_pipeline *p = (struct dmx_pipeline *)1;
    int r = dmx_pipeline_create(&p, "dvb://Canal%20Etude?channels=channels.conf&adapter=97", NULL,
                                NULL, NULL);
    ASSERT_EQ(r, DMX_ERR_NO_DEVICE);
    ASSERT_TRUE(p == NULL);
    ASSERT_STR_EQ(dmx_strerror(r), "no such DVB adapter");
    /* the channel is checked first: a wrong name says so even without a tuner */
    r = dmx_pipeline_create(&p, "dvb://Nope?channels=channels.conf&adapter=97", NULL, NULL, NULL);
    ASSERT_EQ(r, DMX_ERR_CHANNEL);
    r = dmx_pipeline_create(&p, "dvb://Canal%20Etude", NULL, NULL, NULL);
    ASSERT_EQ(r, DMX_ERR_URL);
}

int main(void)
{
    RUN_TEST(test_channel_file);
    RUN_TEST(test_missing_adapter);
    return 0;
}
