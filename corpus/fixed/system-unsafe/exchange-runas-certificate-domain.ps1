# expect: MI101 MI501
# why: Exchange Online sign-in with the Run As certificate and an organization domain from a parameter; en-dash parameters and a backtick continuation: the safe rewrite is -ManagedIdentity and the connection goes.
<#
.SYNOPSIS
    Reports shared mailboxes that nobody has signed in to for 90 days.
#>
param(
    [Parameter(Mandatory = $true)]
    [string]$TenantDomain,
    [int]$Days = 90
)

$ErrorActionPreference = 'Stop'

Connect-ExchangeOnline -ManagedIdentity -Organization $TenantDomain -ShowBanner:$false

$cutoff = (Get-Date).AddDays(-$Days)
$shared = Get-EXOMailbox -RecipientTypeDetails SharedMailbox -ResultSize Unlimited
foreach ($mailbox in $shared) {
    $stats = Get-EXOMailboxStatistics -Identity $mailbox.UserPrincipalName -PropertySets All
    if ($stats.LastLogonTime -and $stats.LastLogonTime -lt $cutoff) {
        Write-Output ("{0} last used {1:yyyy-MM-dd}" -f $mailbox.PrimarySmtpAddress, $stats.LastLogonTime)
    }
}

Disconnect-ExchangeOnline -Confirm:$false
