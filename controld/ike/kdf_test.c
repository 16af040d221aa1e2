/* SPDX-License-Identifier: Apache-2.0 */
/* kdf_test.c: the PRFs, prf+ and IKEv2's key derivations (kdf.c) against known answers:
 *
 *  - NIST CAVP SP 800-135 IKEv2 KDF vectors: SKEYSEED, DKM = prf+(SKEYSEED, Ni | Nr | SPIi |
 *    SPIr), DKM(Child SA) = prf+(SK_d, Ni | Nr), DKM(Child SA D-H) = prf+(SK_d, g^ir (new) |
 *    Ni | Nr) and SKEYSEED(Rekey) = prf(SK_d, g^ir (new) | Ni | Nr), SK_d being the DKM's first
 *    prf-length bytes.  Sources, each case says which:
 *    [cavp]   the SHA-1 sample of csrc.nist.gov's 800-135testvectors/ikev2.zip;
 *    [lsw]    a SHA-1 case quoted in a comment of libreswan's IKEv2 CAVS test program;
 *    [ossl]   OpenSSL's test/recipes/30-test_evp_data/evpkdf_ikev2.txt: the same sample with
 *             SHA-256, and ACVP kdf-components-ikev2-1.0 cases tgId 7 tcId 121 (SHA-256) and
 *             tgId 13 tcId 241 (SHA-512);
 *    [nss]    NSS gtests ike-sha256/ike-sha384 vectors, "from the NIST samples".
 *  - HMAC: RFC 2202 and RFC 4231 test case 1 (the prf dispatch, not OpenSSL's HMAC).
 *  - AES-XCBC-PRF-128: RFC 3566 §4 test cases 1-5 and RFC 4434 §5 (10- and 18-byte keys).
 *  - AUTH with a pre-shared key (§2.15): strongSwan 5.9.8's IKE_AUTH of testdata/ (no RFC has
 *    a vector): its IKE_SA_INIT request, Nr, IDi and SK_pi give the AUTH it sent. */
#include <stdbool.h>

#include "controld/ike/ike_test.h"
#include "controld/ike/kdf.h"

struct cavp {
	const char	*src;
	uint16_t	prf;
	const char	*ni, *nr, *gir, *gir_new, *spi_i, *spi_r;
	const char	*skeyseed, *dkm, *child, *child_dh, *rekey;	/* NULL: not given */
};

static const struct cavp cavp[] = {
{ "[cavp] SHA-1 sample", IKE_PRF_HMAC_SHA1, "3651fef5c9c35e93", "c09a8b90a3f04d59",
  "d084a30166a50fb7325c3960874a839449ef9741c2f4f947d0201dd8c1269273d79509f37e3ca3eb4fa2fe2a"
  "28254e289cd3f34dad4eb4df1a07685a4b8a94fa61e2491f7598b3ce65547ff133b3f63d1ac4175eaa695033"
  "f3cedb026a6873a36455172a8540b8a5d23a0143bed0390ee49b168269d75fffee9fb62be965993c",
  "52f00ab174c25d5b7139ae5ff4e8e9eddee5992d2e36adf8a559ffd90dab1442e4fbe429d320c0f33552a17d"
  "1557fa41ea70e8fb916c4fa27ed52b5f8ebd8461afa78f1159159a64055ac5f6319e29c28eae58cbc6847770"
  "f32c3fed1d04750484f854790f95e9ec01bc5bc461f24966462e359511329305038e94deb6dd42c2",
  "8e5c3ae507221684", "b1f201bb155c3acd",
  "cd2e8050137832245f1dbacc6e4f0a92f94d45d6",
  "6f1b12cad3cbe097b35430356d869d54cddb0198ec859174d53ceb92dddedbe2436db69f60977c58fa63bbb6"
  "67f8d36920b109baae8f6c61a9ac49feda01843225d080ec5539d5881a25521ffb2a0a91874a9c0a27fcc2d7"
  "17eb8963a9e3a89c7ab264757284c28cf8c3ca40576f4220b052b1fb8e9ad60ba3c80557323331a8cbb89f20",
  "4727dc0ef94eb326ce131cf282fb652faa638ad0ddae3786a11bcc0309876009f8c485de011ad962c5b1ca8a"
  "41ff8145445749079c5686e26ffebbc342f06981f3da745e11ca0976424d1f8caec623d59dc7186deb20a27b"
  "411d1dcb70a365440bf7de905088b0692e8addc094e18d1939bdb67e89798ca6b239e2ccb81c2409dac0106c",
  "b109c21ad4c0797768c1cec9e63554681e48f224bca7f23c20c4ea7041983451e9aa1d5408656c8a975ff1b9"
  "d9a12c75ffeb64bdecb30174664cccb4e14f1c377b7f6d1525af77c7092aac3e47f917ebae8297fb5539d200"
  "8ce830823a09cc197361d4a289c72745f6ce9fefe812be5bf55b3200fbb82e41a4a40877d3fe106db909707b",
  "3b03bce748c96d5e8306918d2ff89b68f0648da3" },
{ "[lsw] SHA-1", IKE_PRF_HMAC_SHA1, "32b50d5f4a3763f3", "9206a04b26564cb1",
  "4b2c1f971981a8ad8d0abeafabf38cf75fc8349c148142465ed9c8b516b8be52",
  "863f3c9d06efd39d2b907b97f8699e5dd5251ef64a2a176f36ee40c87d4f9330",
  "34c9e7c188868785", "3ff77d760d2b2199",
  "a9a7b222b59f8f48645f28a1db5b5f5d7479cba7",
  "a14293677cc80ff8f9cc0eee30d895da9d8f405666e30ef0dfcb63c634a46002a2a63080e514a062768b7660"
  "6f9fa5e992204fc5a670bde3f10d6b027113936a5c55b648a194ae587b0088d52204b702c979fa280870d2ed"
  "41efa9c549fd11198af1670b143d384bd275c5f594cf266b05ebadca855e4249520a441a81157435a7a56cc4",
  "8059e3ee8810e6c3a91bc8bcd2a7a41151b8d0e6ae239c7b38093ad85ef4c5811a8e7b5d1cdabd9560b2d5e0"
  "92d1f24e2d4b85eccdf0ad0dc9abd94b51ee71814ca6dbc8bb51b6309f5b9545c7eb35cf5580b1e521a8fe20"
  "754a2d883ba0c2cf285f524aea6545b33106bc03e614296d319d41d4b50b3f510b1c0a22f3e664994d234cb4",
  "bb43244c1860ad65ee1e211ffe8bb3661750c8f89cb9f547df7f4fa61d37301628190e38c66232eab4b3ab14"
  "c400a5197dd3730ed4820a8a10394d51e1c0400052f63ebd36b0e7ef53aaed31eba4a5080d7d4b5666023a8b"
  "bb5ffb7857240f9a05884d1b7d2f933708450b7b3288f1fc863ab49fa901227cffc06e27899c7054d56fd74c",
  "63e81194946ebd05df7df5ebf5d8750056bf1f1d" },
{ "[ossl] SHA-256 sample", IKE_PRF_HMAC_SHA2_256, "3651fef5c9c35e93", "c09a8b90a3f04d59",
  "d084a30166a50fb7325c3960874a839449ef9741c2f4f947d0201dd8c1269273d79509f37e3ca3eb4fa2fe2a"
  "28254e289cd3f34dad4eb4df1a07685a4b8a94fa61e2491f7598b3ce65547ff133b3f63d1ac4175eaa695033"
  "f3cedb026a6873a36455172a8540b8a5d23a0143bed0390ee49b168269d75fffee9fb62be965993c",
  "52f00ab174c25d5b7139ae5ff4e8e9eddee5992d2e36adf8a559ffd90dab1442e4fbe429d320c0f33552a17d"
  "1557fa41ea70e8fb916c4fa27ed52b5f8ebd8461afa78f1159159a64055ac5f6319e29c28eae58cbc6847770"
  "f32c3fed1d04750484f854790f95e9ec01bc5bc461f24966462e359511329305038e94deb6dd42c2",
  "8e5c3ae507221684", "b1f201bb155c3acd",
  "efaa7ab0eaa85a3d0be2100cd4b6fe00ff5025a9eafddb3ef518e9f0d3fe60e6",
  "462b9dd525d4fd71169174272779e704baf62c6231779ae9efe8c58b21916b42010164af2111ebd762f6916c"
  "a9a6f0ee05c8b320e4ee27705521de2589adea1878f1a551738af7c88dc4f0bb0c096a3f7d1f1a670fc79f49"
  "f678d60d665bb3710c8657f03ba9f62b9a818d7a228968c506e237ae9502aa6db395c61ea6a3e79504f86b73"
  "68bfb5423df79e48809bbccd49fd826d024f63d7c2a5566400a12e736aa034510428f5ea008fe2fc16886fa3"
  "88274ea6c2b4fcfc6141bf04f8207ef8afc224ea1059cb220dc0b23ac0e4ccda495a4e131b1d56e223aba5a4"
  "8e8ed1f5",
  "23647677e7d403fa1e3006f19840aee18ad9fecc4215814c4131bdeba98433d8b0e31bfbbddf822abcce5e06"
  "486aa388022b75e27e1e68aa5983028b65282c730c5d49ef7606770376cfdec41f7cc435d816029989bc353d"
  "3b67b9fd1168ddcb8978850da9b752aee6a30d0086d2c4d74ec0e03648a0dad334faf5fe88084e67b0f3e8fe"
  "e8b5e1bd3850db540f1fb8cffe23c9e92cda209373f354880c246c753e2a0eca9cb73b9910a8531c4010e676"
  "8fa29f909e60af777fed6e739c3cfda03467e915d6f03fce9c41f5f9d578f8912d66a75457e79ee1d5bcc2be"
  "5c2f9bae",
  "6a919387a5fa2835fe8a8237e4a14845bd2b9930db87eff7adf268f62186004902dba9aa942d0259a0edc412"
  "0b932a503865b57ba8fb88117ef5df7b26799cd8ba37aa5438108cb1a4fe117907c9d0597b708c3f11151fef"
  "d624d2317202b7c81430600e6fcbb6e1a8df2b4861ef2363d53de1be69057b0cf6634a7e7bfa97b3c2810623"
  "e2bd6757738777177036e9c3a39794456954bd41fc444a12507ab9cac69a0540d13c29db8510f566a691691b"
  "aa2d9569dacc990d56a454bb444bcbbe8751b0550a5278812fc5ab4f28990dd6d608538d7ddde24dc81bdaac"
  "a7751fde",
  "90722c42bd849e9b72d240fc254174270fa8295de6f0338dafc303a9ec104f12" },
{ "[ossl] ACVP SHA-256 tgId 7 tcId 121", IKE_PRF_HMAC_SHA2_256,
  "f096bc348f4c0be7a0932e065f72da82f9e312379cbec86574837e535dedd0f81e86fe52f9d89336b17bf5dc"
  "030e766e71d25b60d724aaefe8b60c2383bd6395703214d6e04c545443e95b47adb11c80a60110c083402b33"
  "5cdf9e4e2cd6200dc3a28d1f8e1d6f8293dea1025707ce870439f9a3cb2638fe52a3f350cee833e4ebb34f7c"
  "3920b9a0a4dce7bc3e7dd6502f6d365fbb0bc0131fc74048bd145e7b9be07f2e58fdf53a98b5af8c3958c592"
  "ecb1642d63cec46be1a77a2e5b525554682114040fc201949b992e8076a2ba99f59c9b1368c69cb0e48ff059"
  "9290d4c635262ef4f1bb2e87c4cdf4ff7ea9fad2010cbf30198b7a961606bf3e49c5618f",
  "aa241ead5c65408ae109d09993dba807ff23e00883a466f2f408bced7a8bb37729abb124de79a7652cdd4509"
  "11b4ff1a252d11b8d6ef065b48fd2703cb6d682712e24e92f6ce3511dbb6f78affafef1b0b875ae2b3c55978"
  "3ea7f2138b831c236845b800d00aa28010c47d2f6744033a10b286e791d16dcbe31e9c994e45d659e65ecf03"
  "eaffcd916febb320913c97db41415961dc02823849a2009d9c126cc4e50f6cfe1f447c691463ea1309b66de3"
  "bc39abbb0abc69525def486669e1f45affbdd6fe1f5314edfc631e4655df289108697f906c6c82bc0d8c5234"
  "3278cd32a93ff33247764d3cca18278c7876deb0247ade36149d99f3ef1e746d90de0524",
  "9e3d6f5b906fac77cc7c877948f19113ff2aac2b51dda3d03803808e09b840e1e73dc8489c31659bdd78218b"
  "367da86dc0ea41408acadc67860c8df60a8af0ee07bef7f05e51fd416b37f62d4429dcc5fa8a19faa648a0df"
  "2d279a9a72d0d2d4a666b51342a2f7d9e4e7882aa90a8f20a7ffc6dd5e9755bdd23a92562be228f462a037d3"
  "4a84c4c1677791fb067219c07ec57c9bc43474de3a009707635f5175e38f9dc3ca0de6249a8b12d37590be69"
  "42f6b67c580c83ff6402e130a85f4c794a078cc4dc5bb73542d5a74734d8e11c313f67b0d99c7d6f53791f82"
  "4228f942d346ac56acefa9a9a79018d57cd67983842459a1a21fc0f65e38b386045ec55b",
  "5540b8884168c2d05b43fc37a9bc613d0f66ff3eef3783d126dcc18eb6bbae71376572f77f43874becc9fcb3"
  "ec7be89d1f8d923143fba7c83838cbc8b3af9a58f7e9b2915a81cba198423a96ffbb09f2a4753e5014a65bea"
  "f7cd784be5208e2660fc6ef66d8c135edea6d89ee59e96b083b1e842d6fa5466df1f1e6edfa94870e11f3596"
  "6c8da38db7144a680c3a0a163c57f42e916f469692db83101aca72290fe4d9efb4d20877df79b11c90e64163"
  "30393951d25855ba0fea68750582066931db4f4e9d3b4f75a9c786e62a5680fb5088932034a3045f33762b03"
  "48b23f6560dc7311e291ebc4596df5d7b789313aeeb12744e86645a4ec31e089ffa8e39e",
  "dc90d7d683d1c342", "4baddac5301b550b",
  "cb5b5e3729a6e797a257ee0124a6ea6143e753b7545c1266413119f5c108fe2e",
  "cddd59534e22d7306c94d07d5c14fad33e58838e02c7a8fa9c421f66fb72e51b553bc4798039dc7dd51967d2"
  "df6759c4196849e790d3874066c14443938ff6b04305b4a6e1297fc561554af242f404342721a1a92f0aa5fd"
  "66ea1835dec564042326b81ddde622818bfa1b413bd02817f3aadd4dc43dfd64ac1ec3f072088e972d871e11"
  "00a0c23ec40484a45685889973984a17e8e081d0e80c91267d152e6b258c18525124fd2667249e1c645d98f6"
  "586e791222c5d4b94ae15f59d147f12821aed76b0f43bf3cb36410e58611c3ce61f08ab39a12639395fc4725"
  "ac23c9ad8635b508bccacc79ab81ad68d531d439e4379a916ea19b63bb021576ddc7e4c14f471e368a6ae468"
  "52129931952dbebc16ac8869c0462edd98f80445495301f1bd6e1ab76312434c212de18aa260dbd1ebdb13a3"
  "ad91ada28d4cd533545eb93c0f2766e9034344855304dad700a1cac269dd9c36ccf08f01389d627b46d81f9c"
  "b43502fee7584f74441c96eac7f7d0eebeb6b13bcd3041a94b3d5b08e3699b97",
  "6e7cc5b65bb20cbdb06825802b98b62357d824f72d7756f9c97fd132788216f6594726217705098da118a202"
  "3849dff1a502e4ba5d8dfe9ffecefdee2bf79a3713c8e7a5c63a1429539aab4c7c372c5a561bdcc82ccfaeaa"
  "fff9abdebb2ea3b901eec8252811cfa2422aaf2ba24cf1f9dd9afb54c0f65a11be7566ae0e6b5170bc205ac9"
  "a703e35d7d60d5ecf70a9b9ef4d72d37ab88af021d38808341fc6ea522e6741550942799c4974333feb6f9a3"
  "e7254eb476da31dcf717da189f8b7a075eb1bb06b5dc14714ffaae1fd15f142cf9e6993e0a5a282124b46aea"
  "aa5fc773ea3bdd3cc43e64adc689be3eaa9f977d950425203739c15794d2f3d48086ccf6404f799fb59bdb1f"
  "4d9596255cf2edbd96c787b66cf47efd7947469363d41750163b2d79d43a829c0d3695234094d3dcf5631794"
  "8a92338bd22e3d3c27b976373b4fb513b38b696b340a747860dad4dbde0fd7d15d53f0a49def2a404fc15204"
  "3fe94b868989f43cd4e90e3a90f95b6246072a55fd70a987a25bbfd93a37c8f7",
  "81c3d430d4c808318288287ae8bef264942d5deb2dc42b8be559315640e50ed9bfeca0f62b108ffb4e485beb"
  "859b1704266d5b4450d7dab7a65697f4ce95310a75e66ea170791911db8d934d8da9dbf47976666f61183ad2"
  "d98cd6bfc7442763bed87583c106ba42729fd7e2806e766e4a82b746aaf46126afcc6fd932e5680c1000167e"
  "26c5777caec49bff1b40566e017045200a9cfcdd1a5e87adcc0e2e84cdfcb21c286028971aee733d897acf16"
  "a95c7d9016339983c3089e24ca41e178d120485657839f53b0220bd477bbb9d90dfdb8e647e3e8c59a744656"
  "97ac6d57d6bc67fbaeab737d6dd7ccc912c37bfe4f11b4854cbec8f15e6320e89d68133d5b0bc5adf60dd7b8"
  "3631b317717574956043cbad4f1bf1769b3e5f2843d86876cf82e9ae7fbdccb7e7c68d22f4954a03880aa8c2"
  "6e0e48a02a3fdc14ef3c7fb91c3b5f745eb8b1c654168fd6d71ec3360a904e2f52da7b25d02c0e3b31179c37"
  "24271f63da41e5be3992ef71ac864a6a352efd05a88a2773afd48a47daacaeee",
  "aaebe45ee40bc364248febd74a9869b56e5df1ea23d3619d23d0afc1681e3f72" },
{ "[nss] SHA-256 NIST sample", IKE_PRF_HMAC_SHA2_256, "3f302be1abcb28e1", "8c332ee006064c9b",
  "0f4d257d7a58fc4545c7d7a88119eee5d5c9690c5b4c989171d3abbfd99d1d29",
  "25f3b12d6f282739256e39bf54eda53b60ffcf379bb7bcc90c27b4c4c578616c",
  "40dac39e1e1a8640", "8619a1cf9a6e4c07",
  "5f00d1bd2c58ec224b1e6b71fa0f19a1faa7a193952c444411b47c1a9d8ba6fe",
  "0b137d669b0947d7d026d593f0305ad401ff0c471357d695778a9c7f4b4869ece98aca531188d16041b3bb93"
  "6d2dbb3b4993a6e768a809160de45d0283f273a6cdf6854379e31be72b8d3d1fa990cf9c5b015ca9f918a7df"
  "6253c958114a09d4e1c19bdcd4db14b29d98db1a74ad405c588662c14a04d0d36aa4ab55e90f8986d12d4aad",
  NULL, NULL,
  "2d63f6debc92048b4fef3889c4c99ca67d6496e0fac14a2bca9a2d6566ff2398" },
{ "[nss] SHA-384 NIST sample", IKE_PRF_HMAC_SHA2_384, "fd1b572a8e735591", "6013b0ef88dacd3d",
  "d3288cd87565101e88fe3bad918f31939d8dd26ff1071f8b2d7f447524e58d7c",
  "3358f620539473aee8d07e779764c4c6a9aabddc79a28e136b3bac021dbde44a",
  "2116ad07ce61f749", "24880e55f11a65b7",
  "69fe7a1ac94adaeb711295f5fe004b1a8d6a0b65d05692758ce8ad2f7a45f59d7d0b596f51f7dfcf33300618"
  "88f6a94f",
  "4f904c2025c90c817ea5ff9b662a6fdb445a73b57cdf09eacd379b95e1f03cacb04cd6deeda4f952191dd9bc"
  "1f7a9502471a648d74dc06d38112de48a42501f6b1a3ad55c2099cd9a648e5f17e5bf3e34bf9b5953decb768"
  "a34f875fe2b78dca0c2fcca81ec1a412006dfaed38fa06882e61f4c148105fb8e231fdb33c4d484c001721d4",
  NULL, NULL,
  "e0548c1682e13bce454026b3b1bdf42985b24e4e7408095a7c529de38c3d1fcb04c9fe6868042a34c9614c6c"
  "99e3fcea" },
{ "[ossl] ACVP SHA-512 tgId 13 tcId 241", IKE_PRF_HMAC_SHA2_512,
  "834ea4753e9a06832072fa15e89e799035a1285ce241caf3b5c724ece8ecd0d2d1ac46fab3d9d86bf2ebf4cc"
  "8f93e06c5342415e14dfcbc949574e1606f96f143e8aa8c80bccd376ff3d3bae0b134a04dd2ae557010e5d7a"
  "7552c6864fd8a82d99ffdfda97be97389a426d7259411b10dd9eefae2709141e654087a2056eb86daf95ef26"
  "2328a2cdd90c61152dc2bbfcf4ccf4084557c3892603023a8b7045fc589a35143e10dcd1a73406ea923b2168"
  "7a12134b6a1007e4aa2e37fffa4901dff6f3514e2b350f08175e194d3c6db75e03fd838d503cefa9e9604a4e"
  "18f330c08142574a992465fea063875abaf144f47c50f32a0a83224e3eea739033af6b9f",
  "f833709de457fb58abe1d26e8decc8fe889d503954c4812ac0f41271394af7c148b15a241c2d6d6502c3c57d"
  "ae854a97bfb3ccdcec650153578ccb51bdfe1c715e81f3d78488b1547a3c9e5617d9b78b46d06f56bb56423c"
  "88deaccd82e7a2a11add56651091682f0987332ea28a32045a4d39609f364eb5e70468ecb7bbdcad6b41e04a"
  "dd11d97f300e8d0a0c2941f1cb64885f940ee2fa273477e910983e96913f58e37bfd68e3adcd6e813176e95f"
  "ee7985f5526eedc3245c4746f5864d9e90bf80f6882f6a505adacd81d106576f7a6c705e37ce551235e012e6"
  "4ec3be7b4f3f8889e664cc5ed7bcc4a88022a437439609b3019cde1948665a548e420d1e",
  "9566a04bf95f433c6497b3ae8cb0f600043f8438eb2b9e97e912af1c5ace9a73a8884bf1ff80a895eb97a6f5"
  "494b6cea5b1c3123c3a9cbe057a0cba2f52fd40a8dfdf9f99b521d356347e2b70cf637b5b4a44c2ed92770a2"
  "81e6431cb50bddce4fb2ec8100218fa84b0a4a344c4dc79bbc81add2fd23bc797efa1b2afa6840ad7b2e04d3"
  "91f33662774a5296a0ef9c9c113e84f5b958fd54857e75378406f29da1eb23e9e9d9d94177672bfa7742f7f4"
  "319f31ed06e1999e17eeac6b35adc9a245cad998e3ce3c422b8ad752f7144332e9aae44ea837677a8406b726"
  "1c04cb4eb9230fba75e09e16eeda246d5b1da5cf14c96f00fc83c555854e7982e52a1d4f",
  "f34450ec9f4b07881ff17db4ae1681b26f2fc8cbecdb7ef0463b09c4fe79f8414fbea9fd3e7c18c845d04e28"
  "3e1eeb7824484c72354a7a9c418e69b8134d596e1abcd2998ea5fabca1fd156678bf7fb0f31c1158e812fd21"
  "5837a23938bac55b37c6e8becedf9435a03484326cd2d4e3c7a273d8a99135027aa17823da9bf0263082394c"
  "a3475266f5bae91d1577c3d15a7dd429e1f5de70138b05214589ef8a519aa930a42f609ccc54ce8701488e80"
  "c2beacca2542c0d9b2dd7c04e41ebbc341eb65a3f786900747fa6ca2cf914e908fea40014d3175b73da1b634"
  "37a89638f69e184fd91e6a02c0f9fc9afafe7b6811b3ac7a57b2615a3b3fc26289500143",
  "6e5f49d279f4fbbb", "ff7ae472aa4dd7af",
  "3daa296c25dd8cbde8e9f5fe85498cb06339fc7aaa93f60987831a0fa79829e244afe92bd66590d8c7f1bc28"
  "1badc619ed2c9762fdb913b052842e50e3989863",
  "2bd66826c397a19618e3133ace96f6168a04ef9afa53f2f07cecda9e0f6139c37cc6512551f523006b74d501"
  "c5dd1ae502689ece8a43ce7b3d866c7372176b1d5bc4a0b863f642351fd4822c79f0a8d97b03b09fa1393679"
  "149432798bea545f70c663675e751a68aeeb7b238ca790229c7775e6a074becdfaad324ac546eeb5d0a9480b"
  "1aa06b6f225cbfac7447de3d8d292b0beb7d9a5b709c02946a10f8799dd4e4b18c6d10ceda39a82b9dae01ef"
  "ebe6c31735590ef7d44e1c8dbbad98dafe620843065e5141d7c57770234128599e3223139656dbb3d0c494fa"
  "ba482ae9740faa3d3957efd9d90fd24144bc9b317c7955722426a6719d0095d068fd0b63469140d1ef9ddefc"
  "43b2bcfff971a08a7e67e75b8f0ded8c4737175abf04c32b906fe7d53e8c3b11b3829db0082b73f44c042c28"
  "5f079a3bd6c33f91559f31043e23bb0a79b83c93aaf1cfeaf6c5996e717869c2d7f6528c8acae6656a843016"
  "4886385441484107261de0d9a9b6b39a24812ccfa24c1f964aeac69ce6d00541",
  "0b0d01a13515ac0727f7d90456d3d2fd9c1172096cded4a20bda43fc796184baeb3a7f34ffc09c584dd9beeb"
  "c7629a36a5d143dfb1c2931f369e6702769b6a01aa20b7b955c30481d7894df2aebab0dd669c3e1e168be5f1"
  "22f8a9d8a589f3c6c48efc031129481e2dea1f6fc10e07f3e39a1fcc3d660e289778458e752802501dbde1eb"
  "0ede3d2227de7fae3f265d66986b1ae4cf407edc3a5168a6179ed8ca2006acc2d9104749c3e2231482374e5f"
  "0ce3da3c8b8520d37f37092669fbb78eaa4cc818be8ca31935529e085bce3830040f679883e3375c274cef5b"
  "f5f36f34d8705b9ec48b4dc2fe9e3a269b41bed2d659767726dc775404610ed1b285067d900d20a38d021924"
  "75d2934ae8e4c47b4cf5729a42fec7af15c01aeb019069f2c87f2e6429d6cb2755384980dfab9173c70aedb3"
  "0611a05fcd03078f2caa8cb323452d6e899197992cf3b93343eebaa1251e1d8f0b3664d0d0310217889510885"
  "d319c2bd8cd3a8fd49848d8331f8c248e6c3c7b6e3d4e376f7bc71ff10d66d1",
  "48e185dc18e52193e01eca3c0d739c3070a73b89a4d0fac7b40e4d51250eeae7232c2031daa700e3a2d570ba"
  "67eca56f1dbe5de5b96cd718faf2fcc7ebca08d1fefa2db5b024cc9a03f50ef310d43a3e66d53912af846cff"
  "6bb039cbff37bdd1c2d329993a98d3faf9026a32ebf6747e347115aa3c604d187a25204407db7e3fd4e1d283"
  "00e898028542c4b8d3c4eb26bd0adf87439ccb7c0230351d38c92772ca234b887ca8f7667b4fbb9619151d75"
  "fecb2c30f570bc0eedd5c6d89f39de1a547ac99cfb7cf608ad4c56c83077e97ce850be40344177cbef2f22e3"
  "7353e6a164a2683de957a48754e8e74331a07503069e8ed44c68f27c0a414d582aa2dd7a66098e3c4d0be5f0"
  "cc5fe9ebc042c3e794e53639a452f0449685dc3fc34c0eae58af6c7e862faf0fc2e2c8f57c889e1dc19e8dae"
  "2e92f828a3f01a1d3dbdcf3c7a0f61828e0e5c26e559e8d1320110d8477ff8a28d90bc9693bb99e10b7a3ea6"
  "2e3559d7cc2e54279012d2c3cc7fba3349e098d6756bcc7ee62507b350dbf3a3",
  "1cc9237ebb1704d703952b6edbe275ca51ac17e2e224f13e38f4c49f5fa9af00f8ecb96fa0ecd6ff282c08a2"
  "9d3e313ab4a4ee1022580118b8deff0cd8432a00" },
};

static uint8_t ni[256], nr[256], gir[512], gir2[512], spi_i[8], spi_r[8], want[2048],
    got[2048], dkm[2048];

static struct ike_chunk
ck(const uint8_t *p, size_t len)
{
	return (struct ike_chunk){ p, len };
}

static void
test_cavp(const struct cavp *c)
{
	size_t ni_len = unhex(c->ni, ni, sizeof(ni)), nr_len = unhex(c->nr, nr, sizeof(nr));
	size_t gir_len = unhex(c->gir, gir, sizeof(gir));
	size_t gir2_len = unhex(c->gir_new, gir2, sizeof(gir2));
	size_t plen = ike_prf_len(c->prf), n, dkm_len;
	struct ike_chunk seed[4];
	struct key skeyseed, sk_d, rekey;
	struct ike_sa_keys k;

	unhex(c->spi_i, spi_i, 8);
	unhex(c->spi_r, spi_r, 8);
	/* SKEYSEED = prf(Ni | Nr, g^ir) */
	n = unhex(c->skeyseed, want, sizeof(want));
	T_EQ(ike_kdf_skeyseed(c->prf, ck(ni, ni_len), ck(nr, nr_len), ck(gir, gir_len),
	    &skeyseed), 0, "%s: SKEYSEED", c->src);
	T_EQ(skeyseed.len, n, "%s: SKEYSEED length", c->src);
	T_MEMEQ(skeyseed.b, want, n, "%s: SKEYSEED", c->src);

	/* DKM = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) */
	dkm_len = unhex(c->dkm, dkm, sizeof(dkm));
	seed[0] = ck(ni, ni_len);
	seed[1] = ck(nr, nr_len);
	seed[2] = ck(spi_i, 8);
	seed[3] = ck(spi_r, 8);
	T_EQ(ike_prf_plus(c->prf, ck(skeyseed.b, skeyseed.len), seed, 4, got, dkm_len), 0,
	    "%s: DKM", c->src);
	T_MEMEQ(got, dkm, dkm_len, "%s: DKM (%zu bytes)", c->src, dkm_len);

	/* the seven keys are the DKM cut in order: integrity 20, encryption 36 bytes here */
	if (dkm_len >= 3 * plen + 2 * 20 + 2 * 36) {
		T_EQ(ike_kdf_sa_keys(c->prf, &skeyseed, ck(ni, ni_len), ck(nr, nr_len), spi_i,
		    spi_r, 20, 36, &k), 0, "%s: SK_*", c->src);
		T_OK(k.d.len == plen && memcmp(k.d.b, dkm, plen) == 0, "%s: SK_d", c->src);
		T_MEMEQ(k.ai.b, dkm + plen, 20, "%s: SK_ai", c->src);
		T_MEMEQ(k.ar.b, dkm + plen + 20, 20, "%s: SK_ar", c->src);
		T_MEMEQ(k.ei.b, dkm + plen + 40, 36, "%s: SK_ei", c->src);
		T_MEMEQ(k.er.b, dkm + plen + 76, 36, "%s: SK_er", c->src);
		T_MEMEQ(k.pi.b, dkm + plen + 112, plen, "%s: SK_pi", c->src);
		T_OK(k.pr.len == plen && memcmp(k.pr.b, dkm + 2 * plen + 112, plen) == 0,
		    "%s: SK_pr", c->src);
		ike_sa_keys_wipe(&k);
	}

	/* SK_d: the first prf-length bytes of the DKM */
	memset(&sk_d, 0, sizeof(sk_d));
	memcpy(sk_d.b, dkm, plen);
	sk_d.len = (uint16_t)plen;
	if (c->child != NULL) {		/* DKM(Child SA) = prf+(SK_d, Ni | Nr) */
		n = unhex(c->child, want, sizeof(want));
		T_EQ(ike_kdf_child(c->prf, &sk_d, ck(NULL, 0), ck(ni, ni_len), ck(nr, nr_len), got,
		    n), 0, "%s: child", c->src);
		T_MEMEQ(got, want, n, "%s: DKM(Child SA)", c->src);
	}
	if (c->child_dh != NULL) {	/* DKM(Child SA D-H) = prf+(SK_d, g^ir (new) | Ni | Nr) */
		n = unhex(c->child_dh, want, sizeof(want));
		T_EQ(ike_kdf_child(c->prf, &sk_d, ck(gir2, gir2_len), ck(ni, ni_len),
		    ck(nr, nr_len), got, n), 0, "%s: child D-H", c->src);
		T_MEMEQ(got, want, n, "%s: DKM(Child SA D-H)", c->src);
	}
	/* SKEYSEED(Rekey) = prf(SK_d (old), g^ir (new) | Ni | Nr) */
	n = unhex(c->rekey, want, sizeof(want));
	T_EQ(ike_kdf_rekey_skeyseed(c->prf, &sk_d, ck(gir2, gir2_len), ck(ni, ni_len),
	    ck(nr, nr_len), &rekey), 0, "%s: rekey", c->src);
	T_OK(rekey.len == n && memcmp(rekey.b, want, n) == 0, "%s: SKEYSEED(Rekey)", c->src);
	key_wipe(&skeyseed);
	key_wipe(&sk_d);
	key_wipe(&rekey);
}

/* RFC 2202 / RFC 4231 test case 1: key 0x0b x 20 (MD5: x 16), "Hi There". */
static const struct {
	uint16_t	prf;
	size_t		key_len;
	const char	*mac;
} hmac1[] = {
	{ IKE_PRF_HMAC_MD5, 16, "9294727a3638bb1c13f48ef8158bfc9d" },
	{ IKE_PRF_HMAC_SHA1, 20, "b617318655057264e28bc0b6fb378c8ef146be00" },
	{ IKE_PRF_HMAC_SHA2_256, 20,
	  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
	{ IKE_PRF_HMAC_SHA2_384, 20,
	  "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6" },
	{ IKE_PRF_HMAC_SHA2_512, 20,
	  "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4"
	  "be9d914eeb61f1702e696c203a126854" },
};

/* RFC 3566 §4 cases 1-5 (16-byte key 000102..0f), RFC 4434 §5 (10- and 18-byte keys); the
 * message is the first msg_len bytes of 000102... */
static const struct {
	const char	*key;
	size_t		msg_len;
	const char	*mac;
} xcbc[] = {
	{ "000102030405060708090a0b0c0d0e0f", 0, "75f0251d528ac01c4573dfd584d79f29" },
	{ "000102030405060708090a0b0c0d0e0f", 3, "5b376580ae2f19afe7219ceef172756f" },
	{ "000102030405060708090a0b0c0d0e0f", 16, "d2a246fa349b68a79998a4394ff7a263" },
	{ "000102030405060708090a0b0c0d0e0f", 20, "47f51b4564966215b8985c63055ed308" },
	{ "000102030405060708090a0b0c0d0e0f", 32, "f54f0ec8d2b9f3d36807734bd5283fd4" },
	{ "00010203040506070809", 20, "0fa087af7d866e7653434e602fdde835" },
	{ "000102030405060708090a0b0c0d0e0fedcb", 20, "8cd3c93ae598a9803006ffb67c40e9e4" },
};

static void
test_prf(void)
{
	static const uint8_t hi[] = "Hi There";
	uint8_t key[32], msg[64], out[IKE_PRF_MAX], w[IKE_PRF_MAX];
	struct ike_chunk parts[3];
	size_t n;

	memset(key, 0x0b, sizeof(key));
	for (size_t i = 0; i < sizeof(hmac1) / sizeof(hmac1[0]); i++) {
		parts[0] = ck(hi, 8);
		n = unhex(hmac1[i].mac, w, sizeof(w));
		T_EQ(ike_prf_len(hmac1[i].prf), n, "prf %u length", hmac1[i].prf);
		T_EQ(ike_prf(hmac1[i].prf, ck(key, hmac1[i].key_len), parts, 1, out), 0, "prf %u",
		    hmac1[i].prf);
		T_MEMEQ(out, w, n, "HMAC test case 1, prf %u", hmac1[i].prf);
		/* the same message in three pieces */
		parts[0] = ck(hi, 2);
		parts[1] = ck(hi + 2, 0);
		parts[2] = ck(hi + 2, 6);
		ike_prf(hmac1[i].prf, ck(key, hmac1[i].key_len), parts, 3, out);
		T_MEMEQ(out, w, n, "HMAC in pieces, prf %u", hmac1[i].prf);
	}
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(xcbc) / sizeof(xcbc[0]); i++) {
		size_t kl = unhex(xcbc[i].key, key, sizeof(key));

		unhex(xcbc[i].mac, w, sizeof(w));
		parts[0] = ck(msg, xcbc[i].msg_len);
		T_EQ(ike_prf(IKE_PRF_AES128_XCBC, ck(key, kl), parts, 1, out), 0, "xcbc %zu", i);
		T_MEMEQ(out, w, 16, "AES-XCBC-PRF-128 case %zu", i + 1);
		/* split at every point: the block logic must not care where chunks end */
		for (size_t cut = 0; cut <= xcbc[i].msg_len; cut++) {
			parts[0] = ck(msg, cut);
			parts[1] = ck(msg + cut, xcbc[i].msg_len - cut);
			ike_prf(IKE_PRF_AES128_XCBC, ck(key, kl), parts, 2, out);
			if (memcmp(out, w, 16) != 0) {
				T_OK(false, "xcbc case %zu cut at %zu", i + 1, cut);
				break;
			}
		}
	}
	T_EQ(ike_prf_len(IKE_PRF_AES128_XCBC), 16, "xcbc length");
	T_EQ(ike_prf_len(8), 0, "AES-CMAC: not ours");
	T_EQ(ike_prf(8, ck(key, 16), parts, 1, out), -1, "unknown prf");
}

static void
test_prf_plus(void)
{
	static uint8_t out[255 * 20 + 1], one[40];
	uint8_t key[20] = { 1 }, s[3] = { 7, 8, 9 };
	struct ike_chunk seed = ck(s, 3);

	T_EQ(ike_prf_plus(IKE_PRF_HMAC_SHA1, ck(key, 20), &seed, 1, out, 255 * 20), 0,
	    "255 blocks");
	T_EQ(ike_prf_plus(IKE_PRF_HMAC_SHA1, ck(key, 20), &seed, 1, out, 255 * 20 + 1), -1,
	    "256 blocks: the counter is one octet");
	/* a shorter output is a prefix */
	T_EQ(ike_prf_plus(IKE_PRF_HMAC_SHA1, ck(key, 20), &seed, 1, one, 33), 0, "33 bytes");
	T_MEMEQ(one, out, 33, "prefix");
}

/* strongSwan 5.9.8, testdata/charon-aes128-sha256-modp2048.txt: the initiator's AUTH. */
static void
test_auth_psk(void)
{
	static uint8_t m[1024];
	uint8_t n_r[32], id[8], auth[32], out[IKE_PRF_MAX];
	static const uint8_t psk[] = "a-test-secret";
	struct key sk_pi;
	size_t mlen = testdata_get("charon-aes128-sha256-modp2048.txt", "msg0", m,
	    sizeof(m));	/* its IKE_SA_INIT request */

	unhex("2f1b15c803360a1d6ec6d15d304fab9d3e264350c4d03ebc35c6ecc34fa8be56", n_r, 32);
	unhex("01000000c6336401", id, 8);		/* ID_IPV4_ADDR 198.51.100.1 */
	memset(&sk_pi, 0, sizeof(sk_pi));
	sk_pi.len = (uint16_t)unhex("fafd1fb5b75c50dd49ee6bdbd6eb29b2ba79f7215a1f0f83f22b067ac7c5bbb9",
	    sk_pi.b, sizeof(sk_pi.b));
	unhex("bc1296313adca82b7c4c26b7a5210f4b3eb216dc2a10c1cc83b35dd32b51025e", auth, 32);
	T_EQ(ike_kdf_auth_psk(IKE_PRF_HMAC_SHA2_256, ck(psk, sizeof(psk) - 1), &sk_pi,
	    ck(m, mlen), ck(n_r, 32), ck(id, 8), out), 0, "AUTH");
	T_MEMEQ(out, auth, 32, "strongSwan's AUTH of 198.51.100.1");
	m[100] ^= 1;
	ike_kdf_auth_psk(IKE_PRF_HMAC_SHA2_256, ck(psk, sizeof(psk) - 1), &sk_pi, ck(m, mlen),
	    ck(n_r, 32), ck(id, 8), out);
	T_OK(memcmp(out, auth, 32) != 0, "another message, another AUTH");
	key_wipe(&sk_pi);
}

/* §2.14: AES-XCBC-PRF-128 keys SKEYSEED with 64 bits of each nonce only. */
static void
test_xcbc_skeyseed(void)
{
	uint8_t a[32], b[32], g[32] = { 5 }, key[16], w[16];
	struct ike_chunk in = ck(g, 32);
	struct key s;

	memset(a, 0xa1, sizeof(a));
	memset(b, 0xb2, sizeof(b));
	memcpy(key, a, 8);
	memcpy(key + 8, b, 8);
	ike_prf(IKE_PRF_AES128_XCBC, ck(key, 16), &in, 1, w);
	T_EQ(ike_kdf_skeyseed(IKE_PRF_AES128_XCBC, ck(a, 32), ck(b, 32), ck(g, 32), &s), 0, "xcbc");
	T_OK(s.len == 16 && memcmp(s.b, w, 16) == 0, "XCBC SKEYSEED keyed by Ni[0..8) | Nr[0..8)");
	T_EQ(ike_kdf_skeyseed(IKE_PRF_AES128_XCBC, ck(a, 7), ck(b, 32), ck(g, 32), &s), -1,
	    "nonce under 64 bits");
}

int
main(void)
{
	for (size_t i = 0; i < sizeof(cavp) / sizeof(cavp[0]); i++)
		test_cavp(&cavp[i]);
	test_prf();
	test_prf_plus();
	test_auth_psk();
	test_xcbc_skeyseed();
	return t_done();
}
