# expect: MI101 MI501
# why: A splatted Exchange sign-in whose -Organization is the Run As tenant id: Exchange wants the *.onmicrosoft.com domain, so the fix is unsafe, reads the domain from an Automation variable with a TODO, and removes the splat table.
$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'

# TODO(mimigrate): create the Automation variable 'ExchangeOrganization' holding the tenant's *.onmicrosoft.com domain
Connect-ExchangeOnline -ManagedIdentity -ManagedIdentityAccountId $IdentityClientId -Organization (Get-AutomationVariable -Name 'ExchangeOrganization') -ShowBanner:$false

$forwarding = Get-EXOMailbox -ResultSize Unlimited -Properties ForwardingSmtpAddress |
    Where-Object { $_.ForwardingSmtpAddress }
$forwarding | Select-Object DisplayName, ForwardingSmtpAddress | Format-Table -AutoSize
