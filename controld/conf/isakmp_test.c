/* SPDX-License-Identifier: Apache-2.0 */
#include "tests/lib/test.h"
int main(void){return t_done();}
