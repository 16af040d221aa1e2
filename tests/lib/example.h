/* SPDX-License-Identifier: Apache-2.0 */
/* example.h: the example configurations of deploy/examples/, read by the unit tests and fuzz
 * targets that need a whole working configuration, so that the examples a newcomer copies are
 * the ones the tests prove (instead of a pasted copy in each test). */
#ifndef GW_TEST_EXAMPLE_H
#define GW_TEST_EXAMPLE_H

/* The text of deploy/examples/NAME ("gwA.conf"), then extra (NULL: nothing), as one
 * NUL-terminated string the caller frees.  The repository is $GW_SRC, else the source
 * directory this was built from.  Exits with a message when the file cannot be read: a test
 * without its configuration has nothing to test. */
char	*test_example(const char *name, const char *extra);

#endif
