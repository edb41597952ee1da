/* Removable drives (kiosk/station/drives.c) on a scratch tree standing in
 * for /proc/self/mountinfo, /sys and /dev/disk/by-label: a USB stick that
 * says it is removable, a USB disk that does not (found by its bus), the
 * system's own disks, a tmpfs and a second mount of the same stick are told
 * apart; labels with escapes; read-only mounts; and the --media-dir mode. */
#include "kiosk/station/drives.h"
#include "tests/test.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void put(const char *root, const char *rel, const char *text)
{
    char path[PATH_MAX * 2], dir[PATH_MAX * 3];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    snprintf(dir, sizeof(dir), "mkdir -p \"$(dirname '%s')\"", path);
    ASSERT_EQ(system(dir), 0);
    FILE *f = fopen(path, "w");
    ASSERT_NOT_NULL(f);
    fputs(text, f);
    fclose(f);
}

static void link_to(const char *root, const char *target, const char *rel)
{
    char path[PATH_MAX * 2], cmd[PATH_MAX * 3];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
    ASSERT_EQ(system(cmd), 0);
    ASSERT_EQ(symlink(target, path), 0);
}

#define USB_SDB                                                                                    \
    "devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1:1.0/host6/target6:0:0/6:0:0:0/block/sdb"
#define USB_SDC                                                                                    \
    "devices/pci0000:00/0000:00:14.0/usb2/2-2/2-2:1.0/host7/target7:0:0/7:0:0:0/block/sdc"
#define SATA_SDA "devices/pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0/block/sda"

static void make_tree(const char *root)
{
    put(root, "sys/" USB_SDB "/removable", "1\n");
    put(root, "sys/" USB_SDB "/sdb1/partition", "1\n");
    put(root, "sys/" USB_SDC "/removable", "0\n"); /* a USB disk that calls itself fixed */
    put(root, "sys/" USB_SDC "/sdc1/partition", "1\n");
    put(root, "sys/" SATA_SDA "/removable", "0\n");
    put(root, "sys/" SATA_SDA "/sda1/partition", "1\n");
    put(root, "sys/" SATA_SDA "/sda2/partition", "2\n");
    link_to(root, "../../" USB_SDB "/sdb1", "sys/dev/block/8:17");
    link_to(root, "../../" USB_SDC "/sdc1", "sys/dev/block/8:33");
    link_to(root, "../../" SATA_SDA "/sda1", "sys/dev/block/8:1");
    link_to(root, "../../" SATA_SDA "/sda2", "sys/dev/block/8:2");
    link_to(root, "../../sdb1", "by-label/KINGSTON");
    link_to(root, "../../sdc1",
            "by-label/\\xe5\\xad\\xa6\\xe4\\xb9\\xa0\\x20\\xe8\\xae\\xb0\\xe5\\xbd\\x95");
    link_to(root, "../../sda2", "by-label/DATA");
    put(root, "mountinfo",
        "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
        "23 22 0:21 / /proc rw,nosuid shared:12 - proc proc rw\n"
        "30 22 8:2 / /mnt/data rw,relatime shared:2 - ext4 /dev/sda2 rw\n"
        "31 22 0:45 / /media/ram rw shared:3 - tmpfs tmpfs rw\n"
        "36 22 8:17 / /media/pi/KINGSTON rw,nosuid,nodev,relatime shared:4 - vfat /dev/sdb1 "
        "rw,fmask=0022,dmask=0022,codepage=936,iocharset=utf8\n"
        "37 22 8:33 / /run/media/pi/\\345\\255\\246\\344\\271\\240\\040\\350\\256\\260\\345\\275"
        "\\225 ro,nosuid,nodev,relatime shared:5 - exfat /dev/sdc1 ro\n"
        "38 22 8:17 / /mnt/again rw,relatime shared:6 - vfat /dev/sdb1 rw\n");
}

static void test_mounts(const char *root)
{
    char mountinfo[PATH_MAX + 16], by_label[PATH_MAX + 16];
    snprintf(mountinfo, sizeof(mountinfo), "%s/mountinfo", root);
    snprintf(by_label, sizeof(by_label), "%s/by-label", root);
    struct st_drives_env env = {.mountinfo = mountinfo, .sys_root = root, .by_label = by_label};
    struct st_drive d[ST_DRIVES_MAX];
    size_t n = 99;
    ASSERT_EQ(st_drives_scan(&env, d, &n), 0);
    ASSERT_EQ(n, 2); /* not /, /mnt/data (fixed disk), /media/ram (tmpfs), nor sdb1 twice */
    ASSERT_STR_EQ(d[0].label, "KINGSTON");
    ASSERT_STR_EQ(d[0].device, "sdb1");
    ASSERT_STR_EQ(d[0].path, "/media/pi/KINGSTON");
    ASSERT_FALSE(d[0].read_only);
    ASSERT_STR_EQ(d[1].label, "学习 记录"); /* udev's \x escapes undone */
    ASSERT_STR_EQ(d[1].device, "sdc1");
    ASSERT_STR_EQ(d[1].path, "/run/media/pi/学习 记录"); /* mountinfo's octal */
    ASSERT_TRUE(d[1].read_only);
    ASSERT_TRUE(st_drives_same(d, n, d, n));
    ASSERT_FALSE(st_drives_same(d, n, d, 1));

    /* the stick pulled out: its line leaves mountinfo */
    put(root, "mountinfo",
        "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
        "37 22 8:33 / /media/x ro shared:5 - exfat /dev/sdc1 ro\n");
    ASSERT_FALSE(st_drive_present(&env, &d[0]));
    ASSERT_EQ(st_drives_scan(&env, d, &n), 0);
    ASSERT_EQ(n, 1);
    ASSERT_STR_EQ(d[0].path, "/media/x");

    /* no mount table: an error, no drives */
    env.mountinfo = "/nonexistent/mountinfo";
    ASSERT_EQ(st_drives_scan(&env, d, &n), -ENOENT);
    ASSERT_EQ(n, 0);
}

static void test_media_dir(const char *root)
{
    char media[PATH_MAX + 16];
    snprintf(media, sizeof(media), "%s/media", root);
    put(root, "media/STICK B/roster.csv", "number,name,category,card\n");
    put(root, "media/A/.keep", "");
    put(root, "media/not-a-stick.txt", "x");
    put(root, "media/.hidden/x", "");
    struct st_drives_env env = {.media_dir = media};
    struct st_drive d[ST_DRIVES_MAX];
    size_t n = 0;
    ASSERT_EQ(st_drives_scan(&env, d, &n), 0);
    ASSERT_EQ(n, 2);
    ASSERT_STR_EQ(d[0].label, "A");
    ASSERT_STR_EQ(d[1].label, "STICK B");
    ASSERT_FALSE(d[1].read_only);
    ASSERT_GT(d[1].total_bytes, 0);
    ASSERT_TRUE(st_drive_present(&env, &d[1]));
    char cmd[PATH_MAX * 2];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s/STICK B'", media);
    ASSERT_EQ(system(cmd), 0);
    ASSERT_FALSE(st_drive_present(&env, &d[1]));
}

static void test_format(void)
{
    char buf[32];
    st_drive_format_bytes(15600000000LL, buf, sizeof(buf));
    ASSERT_STR_EQ(buf, "15.6 GB");
    st_drive_format_bytes(512000000LL, buf, sizeof(buf));
    ASSERT_STR_EQ(buf, "512 MB");
    st_drive_format_bytes(16384, buf, sizeof(buf));
    ASSERT_STR_EQ(buf, "16 kB");
    st_drive_format_bytes(104, buf, sizeof(buf));
    ASSERT_STR_EQ(buf, "104 B");
}

int main(void)
{
    char root[] = "/tmp/test_drives.XXXXXX";
    ASSERT_NOT_NULL(mkdtemp(root));
    make_tree(root);
    test_mounts(root);
    test_media_dir(root);
    test_format();
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    ASSERT_EQ(system(cmd), 0);
    printf("ok: drives\n");
    return 0;
}
